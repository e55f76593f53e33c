/**
 * Text from the network made safe to keep, log and show: control characters (C0, DEL, C1) and
 * Unicode direction overrides removed, whitespace runs collapsed, at most `maxChars` characters.
 * Anything a printer says passes through here before it is stored.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]+/g;

export function cleanText(value: string, maxChars = 255): string {
  const cleaned = value.replace(UNSAFE, ' ').replace(/\s+/g, ' ').trim();
  if (cleaned.length <= maxChars) return cleaned;
  // Never cut a surrogate pair in half.
  return Array.from(cleaned).slice(0, maxChars).join('').trimEnd();
}

/** A cleaned value, or null when nothing printable is left. */
export function cleanOrNull(value: string | null | undefined, maxChars = 255): string | null {
  if (value === null || value === undefined) return null;
  const cleaned = cleanText(value, maxChars);
  return cleaned === '' ? null : cleaned;
}
