import type { CloudFeed, RejectReason } from './cloud-feed.js';
import { isRevoked } from './cloud-feed.js';
import type { PersistedSyncState } from './cloud-sync-store.js';

/** The verdict on a verified, parsed feed: apply it, note that nothing is new, or refuse it. */
export type FeedVerdict = { kind: 'apply' } | { kind: 'up-to-date' } | { kind: 'reject'; reason: RejectReason; detail: string };

/**
 * Checks 2-4 of the spec (the signature, check 1, is verified on the raw bytes before parsing):
 * gatewayId; order by the sequence alone — a feed that does not advance past the applied seq
 * changes nothing (`replay`); for a delta, continuity
 * from the applied seq without gaps. `issuedAt` never refuses a feed: it only feeds staleness and
 * the clock-skew report (cloud-clock.ts).
 */
export function checkFeed(feed: CloudFeed, state: Pick<PersistedSyncState, 'appliedSeq'>, gatewayId: string): FeedVerdict {
  if (feed.gatewayId !== gatewayId) {
    return { kind: 'reject', reason: 'wrong-gateway', detail: 'feed is for another gateway' };
  }
  if (feed.to <= state.appliedSeq && !(feed.full && state.appliedSeq === 0)) {
    // An empty feed at our position is the cloud saying "nothing new" with a 200.
    if (feed.to === state.appliedSeq && feed.events.length === 0) return { kind: 'up-to-date' };
    // A replayed feed and a cloud whose sequence went back (restored from a backup) look alike: both are "replay".
    return { kind: 'reject', reason: 'replay', detail: `feed ends at seq ${feed.to}, already applied up to ${state.appliedSeq}` };
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
