/**
 * A CloudPRNT poll's printer status → printer state reasons (the vocabulary behind Star's 13 status
 * flags, see src/webhooks/star-status.ts). Two sources: `statusCode` (3 digits + text, URL-encoded,
 * e.g. "410%20Out%20of%20paper") and `status` (Star ASB bytes as hex, e.g. "23 86 00 00 00 00 00 00 00").
 */

const STATUS_CODE_REASONS: Readonly<Record<string, string>> = {
  '211': 'media-low',
  '410': 'media-empty',
  '411': 'media-jam',
  '412': 'media-needed',
  '420': 'cover-open',
};

/** The decoded statusCode ("200 OK"); undefined or garbage gives "". */
export function decodeStatusCode(statusCode: unknown): string {
  if (typeof statusCode !== 'string') return '';
  try {
    return decodeURIComponent(statusCode.replace(/\+/g, ' ')).trim().slice(0, 100);
  } catch {
    return statusCode.trim().slice(0, 100);
  }
}

/** Star ASB (automatic status back) bytes from their hex form; [] when malformed. */
export function asbBytes(status: unknown): number[] {
  if (typeof status !== 'string') return [];
  const hex = status.replace(/[\s:,-]/g, '').replace(/^0x/i, '');
  if (hex.length < 4 || hex.length % 2 !== 0 || !/^[0-9a-f]+$/i.test(hex)) return [];
  return (hex.match(/../g) ?? []).map((pair) => Number.parseInt(pair, 16));
}

/** Reasons from the ASB bytes (Star Line/StarPRNT layout: bytes 3-6 are printer status, errors, errors, paper). */
function asbReasons(bytes: readonly number[]): string[] {
  const bit = (index: number, mask: number): boolean => ((bytes[index] ?? 0) & mask) !== 0;
  const reasons: string[] = [];
  if (bit(2, 0x04)) reasons.push('compulsion-switch');
  if (bit(2, 0x20)) reasons.push('cover-open');
  if (bit(3, 0x04)) reasons.push('mechanical-error');
  if (bit(3, 0x08)) reasons.push('cutter-error');
  if (bit(3, 0x40)) reasons.push('over-temperature');
  if (bit(4, 0x04)) reasons.push('presenter-paper-jam');
  if (bit(4, 0x08)) reasons.push('black-mark-error');
  if (bit(4, 0x40)) reasons.push('receive-buffer-overflow');
  if (bit(5, 0x08)) reasons.push('media-empty');
  else if (bit(5, 0x04) || bit(5, 0x02)) reasons.push('media-low');
  return reasons;
}

/** Every reason the poll reports, without duplicates, in a stable order. */
export function pollReasons(statusCode: unknown, status: unknown): string[] {
  const code = decodeStatusCode(statusCode).slice(0, 3);
  const fromCode = STATUS_CODE_REASONS[code];
  const reasons = new Set(asbReasons(asbBytes(status)));
  if (fromCode) reasons.add(fromCode);
  return [...reasons].sort();
}
