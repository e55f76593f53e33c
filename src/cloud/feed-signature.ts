import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/** The header that carries the signature of a feed: `ed25519=<base64 of 64 bytes>`. */
export const SIGNATURE_HEADER = 'printgate-signature';

/**
 * Turns `cloud.publicKeys` (base64 of raw 32-byte Ed25519 public keys) into KeyObjects.
 * Entries that are not such a key are returned in `invalid` (by position) for the caller to log.
 */
export function parsePublicKeys(encoded: readonly string[]): { keys: KeyObject[]; invalid: number[] } {
  const keys: KeyObject[] = [];
  const invalid: number[] = [];
  encoded.forEach((text, index) => {
    const raw = Buffer.from(text.trim(), 'base64');
    if (raw.length !== 32) {
      invalid.push(index);
      return;
    }
    try {
      keys.push(createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' }));
    } catch {
      invalid.push(index);
    }
  });
  return { keys, invalid };
}

/** The signatures in a header value; several `ed25519=` entries may be comma-separated. */
function signaturesIn(header: string | undefined): Buffer[] {
  if (header === undefined) return [];
  const found: Buffer[] = [];
  for (const part of header.split(',')) {
    const match = /^\s*ed25519=([A-Za-z0-9+/=_-]+)\s*$/i.exec(part);
    if (!match) continue;
    const signature = Buffer.from(match[1]!, match[1]!.includes('-') || match[1]!.includes('_') ? 'base64url' : 'base64');
    if (signature.length === 64) found.push(signature);
  }
  return found;
}

/** True when one signature in the header verifies the exact body bytes under one of the keys. */
export function verifyFeedSignature(body: Buffer, header: string | undefined, keys: readonly KeyObject[]): boolean {
  for (const signature of signaturesIn(header)) {
    for (const key of keys) {
      if (verify(null, body, key, signature)) return true;
    }
  }
  return false;
}
