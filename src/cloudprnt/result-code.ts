/**
 * A CloudPRNT result code as a printer reports it ("411 Paper jam", "211", "200%20OK" decoded) →
 * the number and text Star's `job/completed` and `job/failed` webhooks carry as `Code` and
 * `CodeDescription`. Star's documented meaning fills in a printer that sent the digits only.
 */
export interface ResultCode {
  code: number;
  description: string;
}

/** Star's printer status codes (CloudPRNT common spec, "Printer status code"). */
const DESCRIPTIONS: Readonly<Record<string, string>> = {
  '200': 'OK',
  '201': 'Paper taken',
  '211': 'Paper low',
  '220': 'Printing',
  '221': 'Paper present',
  '230': 'Maintenance notice',
  '231': 'Maintenance notice',
  '410': 'Out of paper',
  '411': 'Paper jam',
  '412': 'Paper roll position error',
  '420': 'Cover open',
  '510': 'Unsupported media type',
  '511': 'Decode error',
  '512': 'Unsupported media version',
  '520': 'Download timeout',
  '521': 'Job too large',
};

/** By first digit, for codes Star does not list: servers are to test only the first digit(s). */
const CLASS_DESCRIPTIONS: Readonly<Record<string, string>> = { '2': 'OK', '4': 'Printer error', '5': 'Client error' };

export function parseResultCode(text: string | null): ResultCode | null {
  const match = /^(\d{3})\s*(.*)$/s.exec((text ?? '').trim());
  if (!match) return null;
  const [, digits = '', rest = ''] = match;
  const description = rest.trim() || DESCRIPTIONS[digits] || CLASS_DESCRIPTIONS[digits[0] ?? ''] || 'Error';
  return { code: Number(digits), description };
}

/** 2xx: the printer printed the job. */
export function isPrintedCode(result: ResultCode): boolean {
  return result.code >= 200 && result.code < 300;
}
