import { describe, expect, it } from 'vitest';
import { cloudFeedSchema, type CloudFeed } from '../../../src/cloud/cloud-feed.js';
import { checkFeed } from '../../../src/cloud/feed-checks.js';

const SHA = 'a'.repeat(64);
const state = { appliedSeq: 10, issuedAt: '2026-11-22T10:00:00Z', lastSuccessAt: '2026-11-22T10:00:01Z' };

function feed(overrides: Partial<CloudFeed> & { seqs?: number[] }): CloudFeed {
  const seqs = overrides.seqs ?? [11, 12];
  return cloudFeedSchema.parse({
    gatewayId: 'gw-1',
    issuedAt: '2026-11-22T10:05:00Z',
    full: false,
    from: seqs[0] ?? 11,
    to: seqs.at(-1) ?? 10,
    events: seqs.map((seq) => ({ seq, type: 'key.revoked', keyId: `ck_${seq}`, sha256: SHA })),
    hasMore: false,
    ...overrides,
  });
}

describe('checkFeed', () => {
  it('applies a contiguous delta from applied+1', () => {
    expect(checkFeed(feed({}), state, 'gw-1')).toEqual({ kind: 'apply' });
  });

  it('rejects another gateway', () => {
    expect(checkFeed(feed({}), state, 'gw-2')).toMatchObject({ kind: 'reject', reason: 'wrong-gateway' });
  });

  it('rejects a delta that does not start at applied+1, or skips a seq inside', () => {
    expect(checkFeed(feed({ seqs: [12, 13] }), state, 'gw-1')).toMatchObject({ reason: 'gap' });
    expect(checkFeed(feed({ seqs: [11, 13], to: 13 }), state, 'gw-1')).toMatchObject({ reason: 'gap' });
    expect(checkFeed(feed({ seqs: [11, 12], to: 14 }), state, 'gw-1')).toMatchObject({ reason: 'gap' });
  });

  it('ignores a feed ending at or below the applied seq (replay), snapshots included', () => {
    expect(checkFeed(feed({ seqs: [9, 10] }), state, 'gw-1')).toMatchObject({ reason: 'replay' });
    expect(checkFeed(feed({ full: true, from: 1, seqs: [3, 10] }), state, 'gw-1')).toMatchObject({ reason: 'replay' });
  });

  // Spec change (cloud-sync.md check 4, issue 14): the sequence alone decides order. A cloud clock
  // ahead for one feed used to freeze revocations for as long as it had been ahead.
  it('applies an advancing feed whatever its issuedAt (the sequence decides), and never an old one', () => {
    expect(checkFeed(feed({ issuedAt: '2026-11-22T09:00:00Z' }), state, 'gw-1')).toEqual({ kind: 'apply' });
    expect(checkFeed(feed({ issuedAt: '2000-01-01T00:00:00Z' }), state, 'gw-1')).toEqual({ kind: 'apply' });
    expect(checkFeed(feed({ seqs: [9, 10], issuedAt: '2099-01-01T00:00:00Z' }), state, 'gw-1')).toMatchObject({ reason: 'replay' });
  });

  it('ignores a snapshot ending below the applied seq (a cloud restored from a backup looks like a replay)', () => {
    expect(checkFeed(feed({ full: true, from: 1, seqs: [3, 9] }), state, 'gw-1')).toMatchObject({ kind: 'reject', reason: 'replay' });
  });

  it('takes an empty feed at the applied seq as "up to date", whatever its issuedAt', () => {
    expect(checkFeed(feed({ seqs: [], from: 11, to: 10 }), state, 'gw-1')).toEqual({ kind: 'up-to-date' });
    expect(checkFeed(feed({ seqs: [], from: 11, to: 10, issuedAt: '2000-01-01T00:00:00Z' }), state, 'gw-1')).toEqual({ kind: 'up-to-date' });
  });

  it('applies a snapshot whose event seqs are not contiguous', () => {
    expect(checkFeed(feed({ full: true, from: 1, seqs: [2, 7, 15], to: 20 }), state, 'gw-1')).toEqual({ kind: 'apply' });
  });

  it('refuses a revocation naming neither keyId nor sha256', () => {
    const bad = cloudFeedSchema.parse({ ...feed({ seqs: [11] }), events: [{ seq: 11, type: 'key.revoked', keyId: null }] });
    expect(checkFeed(bad, state, 'gw-1')).toMatchObject({ reason: 'malformed' });
  });

  it('parses strictly: a known event with a bad field fails, an unknown event type passes', () => {
    const base = { gatewayId: 'gw-1', issuedAt: '2026-11-22T10:00:00Z', full: false, from: 11, to: 11 };
    expect(cloudFeedSchema.safeParse({ ...base, events: [{ seq: 11, type: 'key.upserted', keyId: 'x', sha256: 'nothex' }] }).success).toBe(false);
    expect(cloudFeedSchema.safeParse({ ...base, events: [{ seq: 11, type: 'key.renamed' }] }).success).toBe(true);
    expect(cloudFeedSchema.safeParse({ ...base, issuedAt: 'yesterday', events: [] }).success).toBe(false);
  });

  it('names the event and field that is wrong, and reads hashes in any case', () => {
    const base = { gatewayId: 'gw-1', issuedAt: '2026-11-22T10:00:00Z', full: false, from: 11, to: 13 };
    const good = { seq: 11, type: 'key.upserted', keyId: 'a', sha256: 'AB'.repeat(32) };
    const wrong = [
      [{ seq: 12, type: 'key.upserted', keyId: 'b', sha256: 'ab'.repeat(32), permissions: 'PrintToDevice' }, 'events.1.permissions: must be a list of strings'],
      [{ seq: 12, type: 'key.upserted', keyId: '', sha256: 'ab'.repeat(32) }, 'events.1.keyId: must be a string of 1 to 200 characters'],
      [{ seq: -1, type: 'key.revoked', keyId: 'b' }, 'events.1.seq: must be a non-negative integer'],
      [{ seq: 12, type: 'key.revoked', sha256: 'xyz' }, 'events.1.sha256: must be 64 hex characters'],
      ['key.upserted', 'events.1: must be an object'],
    ] as const;
    for (const [event, message] of wrong) {
      const result = cloudFeedSchema.safeParse({ ...base, events: [good, event] });
      expect(result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)).toEqual([message]);
    }
    const parsed = cloudFeedSchema.parse({ ...base, events: [good] });
    expect(parsed.events[0]).toEqual({ ...good, sha256: 'ab'.repeat(32), permissions: [] });
  });
});
