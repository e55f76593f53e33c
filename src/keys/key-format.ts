import { createHash, randomBytes } from 'node:crypto';

/** printgate's own keys: pgk_live_ + 64 lowercase hex (256 bits). */
const LOCAL_KEY = /^pgk_live_[0-9a-f]{64}$/;
/** Cloud-minted keys, Star style: a GUID, any case. */
const GUID_KEY = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

export const LOCAL_KEY_PREFIX = 'pgk_live_';

export function mintLocalKey(): string {
  return LOCAL_KEY_PREFIX + randomBytes(32).toString('hex');
}

/** True when the string has one of the two accepted key forms (no database lookup needed to refuse the rest). */
export function isWellFormedKey(candidate: string): boolean {
  return candidate.length <= 73 && (LOCAL_KEY.test(candidate) || GUID_KEY.test(candidate));
}

/** GUIDs are case-insensitive: hash their lowercase form so any spelling finds the record. */
export function canonicalKey(key: string): string {
  return GUID_KEY.test(key) ? key.toLowerCase() : key;
}

export function hashKey(key: string): string {
  return createHash('sha256').update(canonicalKey(key), 'utf8').digest('hex');
}

/** What `keys list` shows instead of the key: the prefix and the last four characters. */
export function keyHint(key: string): string {
  const canonical = canonicalKey(key);
  const prefix = canonical.startsWith(LOCAL_KEY_PREFIX) ? LOCAL_KEY_PREFIX : '';
  return `${prefix}…${canonical.slice(-4)}`;
}

export function newKeyId(): string {
  return 'key_' + randomBytes(8).toString('hex');
}
