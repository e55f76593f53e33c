import type { CloudFeed, RejectReason } from './cloud-feed.js';
import { isRevoked } from './cloud-feed.js';
import type { PersistedSyncState } from './cloud-sync-store.js';

/** The verdict on a verified, parsed feed: apply it, note that nothing is new, or refuse it. */
export type FeedVerdict = { kind: 'apply' } | { kind: 'up-to-date' } | { kind: 'reject'; reason: RejectReason; detail: string };

/**
 * Checks 2-4 of the spec (the signature, check 1, is verified on the raw bytes before parsing):
 * gatewayId, no replay (to at or below the applied seq changes nothing), no rollback of issuedAt,
 * and, for a delta, continuity from the applied seq without gaps.
 */
export function checkFeed(feed: CloudFeed, state: PersistedSyncState, gatewayId: string): FeedVerdict {
  if (feed.gatewayId !== gatewayId) {
    return { kind: 'reject', reason: 'wrong-gateway', detail: 'feed is for another gateway' };
  }
  const issuedAt = Date.parse(feed.issuedAt);
  const lastIssuedAt = state.issuedAt === null ? null : Date.parse(state.issuedAt);
  if (feed.to <= state.appliedSeq && !(feed.full && state.appliedSeq === 0)) {
    // An empty, newer feed at our position is the cloud saying "nothing new" with a 200.
    const keepAlive = feed.to === state.appliedSeq && feed.events.length === 0 && (lastIssuedAt === null || issuedAt > lastIssuedAt);
    if (keepAlive) return { kind: 'up-to-date' };
    return { kind: 'reject', reason: 'replay', detail: `feed ends at seq ${feed.to}, already applied up to ${state.appliedSeq}` };
  }
  if (lastIssuedAt !== null && issuedAt < lastIssuedAt) {
    return { kind: 'reject', reason: 'rollback', detail: `issuedAt ${feed.issuedAt} is older than the applied ${state.issuedAt}` };
  }
  const aimless = feed.events.find((event) => isRevoked(event) && !event.keyId && !event.sha256);
  if (aimless) {
    return { kind: 'reject', reason: 'malformed', detail: `event ${aimless.seq} revokes neither a keyId nor a sha256` };
  }
  if (feed.full) {
    if (feed.events.some((event) => event.seq > feed.to)) {
      return { kind: 'reject', reason: 'malformed', detail: 'snapshot holds an event after its "to"' };
    }
    return { kind: 'apply' };
  }
  if (feed.from !== state.appliedSeq + 1) {
    return { kind: 'reject', reason: 'gap', detail: `delta starts at seq ${feed.from}, expected ${state.appliedSeq + 1}` };
  }
  let expected = feed.from;
  for (const event of feed.events) {
    if (event.seq !== expected) {
      return { kind: 'reject', reason: 'gap', detail: `delta event seq ${event.seq}, expected ${expected}` };
    }
    expected += 1;
  }
  if (expected - 1 !== feed.to) {
    return { kind: 'reject', reason: 'gap', detail: `delta events end at seq ${expected - 1}, but "to" is ${feed.to}` };
  }
  return { kind: 'apply' };
}
