import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePublicKeys, verifyFeedSignature } from '../../../src/cloud/feed-signature.js';

function pair() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('base64');
  return { privateKey, raw };
}

describe('feed signatures', () => {
  const body = Buffer.from('{"gatewayId":"gw-1","events":[]}');

  it('verifies the exact bytes against any configured key (rotation)', () => {
    const old = pair();
    const current = pair();
    const { keys, invalid } = parsePublicKeys([old.raw, current.raw]);
    expect(invalid).toEqual([]);
    const signature = sign(null, body, current.privateKey).toString('base64');
    expect(verifyFeedSignature(body, `ed25519=${signature}`, keys)).toBe(true);
    expect(verifyFeedSignature(body, `ed25519=${sign(null, body, current.privateKey).toString('base64url')}`, keys)).toBe(true);
  });

  it('refuses a changed byte, an untrusted key, a missing or malformed header', () => {
    const trusted = pair();
    const stranger = pair();
    const { keys } = parsePublicKeys([trusted.raw]);
    const signature = sign(null, body, trusted.privateKey).toString('base64');
    const tampered = Buffer.from(body);
    tampered.writeUInt8(tampered.readUInt8(2) ^ 1, 2);
    expect(verifyFeedSignature(tampered, `ed25519=${signature}`, keys)).toBe(false);
    expect(verifyFeedSignature(body, `ed25519=${sign(null, body, stranger.privateKey).toString('base64')}`, keys)).toBe(false);
    expect(verifyFeedSignature(body, undefined, keys)).toBe(false);
    expect(verifyFeedSignature(body, signature, keys)).toBe(false);
    expect(verifyFeedSignature(body, `ed25519=${signature}`, [])).toBe(false);
  });

  it('reports configured keys that are not raw 32-byte Ed25519 keys', () => {
    const good = pair();
    expect(parsePublicKeys(['not base64 at all!', Buffer.alloc(16).toString('base64'), good.raw]).invalid).toEqual([0, 1]);
  });
});
