import { cleanText } from './clean-text.js';

/** A decoded DNS-SD TXT record: lower-case keys; `true` for a key without "=", "" for "key=". */
export type TxtRecord = Record<string, string | true>;

export interface TxtLimits {
  /** Bytes of TXT data read at most (RFC 6763 advises keeping a record under 1300). */
  maxBytes: number;
  /** Keys kept at most. */
  maxKeys: number;
  /** Characters kept of one value. */
  maxValueChars: number;
}

export const TXT_LIMITS: TxtLimits = { maxBytes: 2048, maxKeys: 64, maxValueChars: 255 };

export interface DecodedTxt {
  txt: TxtRecord;
  /** What was wrong with it (truncated, malformed strings), for one log line; empty when clean. */
  problems: string[];
}

const KEY = /^[\x20-\x3c\x3e-\x7e]{1,64}$/;

/**
 * Decodes TXT strings as RFC 6763 6.4 defines them, from the raw bytes: keys are case-insensitive
 * (kept lower-case), the first occurrence of a key wins, "key" alone is a boolean true, "key=" an
 * empty value, and a value may itself contain "=". Strings without a usable key are skipped.
 * Bounded: bytes past `maxBytes`, keys past `maxKeys` and value characters past `maxValueChars`
 * are dropped and reported.
 */
export function decodeTxt(strings: readonly Uint8Array[] | undefined, limits: TxtLimits = TXT_LIMITS): DecodedTxt {
  const txt: TxtRecord = {};
  const problems = new Set<string>();
  let bytes = 0;
  let keys = 0;
  for (const raw of strings ?? []) {
    if (raw.byteLength === 0) continue;
    bytes += raw.byteLength;
    if (bytes > limits.maxBytes) {
      problems.add(`TXT longer than ${limits.maxBytes} bytes: the rest ignored`);
      break;
    }
    const buffer = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const equals = buffer.indexOf(0x3d);
    const key = buffer.subarray(0, equals < 0 ? buffer.length : equals).toString('latin1').toLowerCase();
    if (!KEY.test(key)) {
      problems.add('TXT string without a printable key skipped');
      continue;
    }
    if (key in txt) continue;
    if (keys >= limits.maxKeys) {
      problems.add(`more than ${limits.maxKeys} TXT keys: the rest ignored`);
      break;
    }
    keys += 1;
    if (equals < 0) {
      txt[key] = true;
      continue;
    }
    // Control characters and direction overrides go; a TXT string holds 255 bytes at most anyway.
    txt[key] = cleanText(buffer.subarray(equals + 1).toString('utf8'), limits.maxValueChars);
  }
  return { txt, problems: [...problems] };
}

/** A TXT value as text: undefined when the key is absent or has no value. */
export function txtValue(txt: TxtRecord, key: string): string | undefined {
  const value = txt[key.toLowerCase()];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Encodes key/value pairs as TXT strings (for the advertiser): `true` → "key", else "key=value". */
export function encodeTxt(entries: Readonly<Record<string, string | true>>): Buffer[] {
  return Object.entries(entries).map(([key, value]) => Buffer.from(value === true ? key : `${key}=${value}`, 'utf8'));
}
