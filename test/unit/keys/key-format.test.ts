import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalKey, hashKey, isWellFormedKey, keyHint, mintLocalKey, newKeyId } from '../../../src/keys/key-format.js';

describe('key format', () => {
  it('mints pgk_live_ + 64 lowercase hex, never twice the same', () => {
    const keys = new Set(Array.from({ length: 200 }, () => mintLocalKey()));
    expect(keys.size).toBe(200);
    for (const key of keys) expect(key).toMatch(/^pgk_live_[0-9a-f]{64}$/);
    expect(newKeyId()).toMatch(/^key_[0-9a-f]{16}$/);
  });

  it('accepts exactly the two key forms', () => {
    const local = `pgk_live_${'a1'.repeat(32)}`;
    const guid = '6800ffd6-2367-4c8d-b067-d6a28151276a';
    for (const good of [local, guid, guid.toUpperCase(), '6800FFD6-2367-4c8d-B067-d6a28151276a']) expect(isWellFormedKey(good)).toBe(true);
    for (const bad of ['', local.toUpperCase(), local.slice(0, -1), `${local}a`, `apf_live_${'a1'.repeat(32)}`, guid.replace(/-/g, ''), `{${guid}}`, `${guid}\n`, ` ${guid}`, 'a'.repeat(100_000)]) {
      expect(isWellFormedKey(bad), JSON.stringify(bad.slice(0, 80))).toBe(false);
    }
  });

  it('hashes GUIDs case-insensitively and stores only sha256 hex', () => {
    const guid = '6800ffd6-2367-4c8d-b067-d6a28151276a';
    expect(hashKey(guid.toUpperCase())).toBe(hashKey(guid));
    expect(hashKey(guid)).toBe(createHash('sha256').update(guid).digest('hex'));
    const local = mintLocalKey();
    expect(hashKey(local)).toBe(createHash('sha256').update(local).digest('hex'));
    expect(canonicalKey(local)).toBe(local);
  });

  it('shows prefix and last four characters only', () => {
    const local = `pgk_live_${'0'.repeat(60)}beef`;
    expect(keyHint(local)).toBe('pgk_live_…beef');
    expect(keyHint('6800FFD6-2367-4C8D-B067-D6A28151276A')).toBe('…276a');
  });
});
