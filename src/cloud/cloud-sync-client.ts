import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Db } from '../db/open-database.js';
import { backoffDelay } from '../driver-api/backoff.js';
import { clampIssuedAt, ClockSkewTracker, skewSeconds } from './cloud-clock.js';
import { cloudFeedSchema, REJECT_REASONS, type CloudFeed, type RejectReason } from './cloud-feed.js';
import { cloudGet, cloudOpenStream } from './cloud-http.js';
import { CloudKeyWriter } from './cloud-key-writer.js';
import { CloudSyncStore, type PersistedSyncState } from './cloud-sync-store.js';
import type { CloudSyncStatus, KeysChanged } from './cloud-sync-status.js';
import { checkFeed } from './feed-checks.js';
import { parsePublicKeys, SIGNATURE_HEADER, verifyFeedSignature } from './feed-signature.js';
import { SseParser } from './sse-parser.js';

/** Lets the event loop run what waits (requests, timers) before the next synchronous step. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export type CloudConfig = Config['cloud'];

export interface CloudSyncClientDeps {
  cloud: Readonly<CloudConfig> & { url: string; gatewayId: string };
  db: Db;
  log: Logger;
  now: () => Date;
  random?: () => number;
  /** Bound on one pull (connect to last byte) and on opening the stream. */
  requestTimeoutMs?: number;
}

type PullOutcome = 'ok' | 'failed';

const MAX_FEED_BYTES = 256 * 1024 * 1024;
const MAX_ROUNDS = 20;
const RETRY_INITIAL_MS = 1000;
const STREAM_INITIAL_MS = 500;
const STREAM_MAX_MS = 30_000;
/** A stream quiet for this long is presumed dead (half-open TCP) and reopened. */
const STREAM_IDLE_MS = 120_000;
/** A stream that stayed up this long resets the back-off. */
const STREAM_STABLE_MS = 10_000;

function emptyCounts(): Record<RejectReason, number> {
  return Object.fromEntries(REJECT_REASONS.map((reason) => [reason, 0])) as Record<RejectReason, number>;
}

/**
 * The gateway side of cloud sync protocol v1: pulls signed feeds, verifies them before anything is
 * applied, applies them in one transaction, holds the push stream open and polls while it is down.
 * Nothing here blocks serving: a cloud that is down, slow or hostile only leaves the keys as they are.
 */
export class CloudSyncClient {
  private readonly store: CloudSyncStore;
  private readonly writer: CloudKeyWriter;
  private readonly publicKeys: KeyObject[];
  private readonly base: URL;
  private readonly random: () => number;
  private readonly timeoutMs: number;
  private state: PersistedSyncState;
  private readonly rejected = emptyCounts();
  private readonly listeners = new Set<(change: KeysChanged) => void>();
  private running = false;
  private abort = new AbortController();
  private pulling: Promise<void> | null = null;
  private pullAgain = false;
  private pullFailures = 0;
  private pollTimer: NodeJS.Timeout | null = null;
  private streamTimer: NodeJS.Timeout | null = null;
  private stream: IncomingMessage | null = null;
  private streamConnected = false;
  private streamFailures = 0;
  private lastError: string | null = null;
  private authRefusalLogged = false;
  private outageLogged = false;
  private tokenErrorLogged = false;
  private readonly skew: ClockSkewTracker;

  constructor(private readonly deps: CloudSyncClientDeps) {
    this.skew = new ClockSkewTracker(deps.cloud.maxClockSkewSeconds ?? 120);
    this.random = deps.random ?? Math.random;
    this.timeoutMs = deps.requestTimeoutMs ?? 15_000;
    this.base = new URL(deps.cloud.url.endsWith('/') ? deps.cloud.url : `${deps.cloud.url}/`);
    this.store = new CloudSyncStore({ db: deps.db, cloudUrl: this.base.href, gatewayId: deps.cloud.gatewayId });
    this.writer = new CloudKeyWriter({ db: deps.db, store: this.store, now: deps.now });
    const { keys, invalid } = parsePublicKeys(deps.cloud.publicKeys);
    if (invalid.length > 0) deps.log.error({ positions: invalid }, 'cloud.publicKeys entries are not base64 raw 32-byte Ed25519 keys; ignored');
    if (keys.length === 0) deps.log.error('no usable cloud.publicKeys: every cloud feed will be refused');
    this.publicKeys = keys;
    this.state = this.store.load();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.deps.log.info({ gatewayId: this.deps.cloud.gatewayId, appliedSeq: this.state.appliedSeq, stream: this.deps.cloud.stream }, 'cloud sync started');
    void this.pull();
    if (this.deps.cloud.stream) this.connectStream();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort.abort();
    if (this.pollTimer) clearTimeout(this.pollTimer);
    if (this.streamTimer) clearTimeout(this.streamTimer);
    this.pollTimer = this.streamTimer = null;
    this.stream?.destroy();
    this.stream = null;
    this.streamConnected = false;
    await this.pulling;
  }

  /** Listens for keys a sync revoked or removed (to close their open event streams). Returns an unsubscribe. */
  onKeysChanged(listener: (change: KeysChanged) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  status(): CloudSyncStatus {
    const last = this.state.lastSuccessAt === null ? null : Date.parse(this.state.lastSuccessAt);
    const age = last === null ? null : Math.max(0, Math.floor((this.deps.now().getTime() - last) / 1000));
    return {
      enabled: true,
      appliedSeq: this.state.appliedSeq,
      issuedAt: this.state.issuedAt,
      lastSuccessAt: this.state.lastSuccessAt,
      syncAgeSeconds: age,
      streamConnected: this.streamConnected,
      stale: this.isStale(),
      lastError: this.lastError,
      clockSkewSeconds: this.skew.lastSeconds,
      clockSkewed: this.skew.isSkewed,
      maxClockSkewSeconds: this.deps.cloud.maxClockSkewSeconds ?? 120,
      rejected: { ...this.rejected },
    };
  }

  isStale(): boolean {
    const max = this.deps.cloud.maxStalenessSeconds;
    if (max <= 0) return false;
    if (this.state.lastSuccessAt === null) return true;
    // Counted from the last feed's issuedAt (clamped to our clock when it was applied), so a feed
    // held back on its way counts as old; never later than the last success.
    const success = Date.parse(this.state.lastSuccessAt);
    const issued = this.state.issuedAt === null ? success : Date.parse(this.state.issuedAt);
    return this.deps.now().getTime() - Math.min(success, Number.isNaN(issued) ? success : issued) > max * 1000;
  }

  /** Pulls now; a pull asked for while one runs makes that one run again once. */
  pull(): Promise<void> {
    if (!this.running) return Promise.resolve();
    if (this.pulling) {
      this.pullAgain = true;
      return this.pulling;
    }
    this.pulling = (async () => {
      let outcome: PullOutcome = 'ok';
      do {
        this.pullAgain = false;
        outcome = await this.pullOnce().catch((error: unknown) => this.failed(error instanceof Error ? error.message : String(error)));
      } while (this.pullAgain && this.running);
      this.pulling = null;
      this.schedulePoll(outcome);
    })();
    return this.pulling;
  }

  private schedulePoll(outcome: PullOutcome): void {
    if (!this.running) return;
    const pollMs = this.deps.cloud.pollSeconds * 1000;
    let delay: number;
    if (outcome === 'failed') {
      delay = backoffDelay(this.pullFailures++, Math.min(RETRY_INITIAL_MS, pollMs), pollMs, this.random);
    } else {
      this.pullFailures = 0;
      delay = this.streamConnected ? this.heartbeatMs() : pollMs;
    }
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => void this.pull(), delay);
    this.pollTimer.unref();
  }

  /** With the stream up, a slow pull still proves the cloud is there (sync age, staleness). */
  private heartbeatMs(): number {
    const slow = this.deps.cloud.pollSeconds * 5 * 1000;
    const max = this.deps.cloud.maxStalenessSeconds;
    return max > 0 ? Math.min(slow, (max * 1000) / 3) : slow;
  }

  private headers(accept: string): Record<string, string> {
    const headers: Record<string, string> = { accept, 'user-agent': 'printgate-cloud-sync/1' };
    const tokenFile = this.deps.cloud.tokenFile;
    if (tokenFile === undefined) return headers;
    try {
      headers.authorization = `Bearer ${readFileSync(tokenFile, 'utf8').trim()}`;
      this.tokenErrorLogged = false;
    } catch (error) {
      if (!this.tokenErrorLogged) {
        this.tokenErrorLogged = true;
        this.deps.log.error({ tokenFile, err: (error as NodeJS.ErrnoException).code }, 'cloud token file unreadable');
      }
    }
    return headers;
  }

  private keysUrl(since: number): URL {
    const url = new URL(`v1/gateways/${encodeURIComponent(this.deps.cloud.gatewayId)}/keys`, this.base);
    url.searchParams.set('since', String(since));
    return url;
  }

  private async pullOnce(): Promise<PullOutcome> {
    let since = this.state.appliedSeq;
    for (let round = 0; round < MAX_ROUNDS && this.running; round += 1) {
      const response = await cloudGet(this.keysUrl(since), {
        headers: this.headers('application/json'),
        signal: this.abort.signal,
        timeoutMs: this.timeoutMs,
        maxBytes: MAX_FEED_BYTES,
      });
      if (!this.running) return 'failed';
      if (response.status === 304) return this.succeeded(null);
      if (response.status === 410) {
        this.deps.log.info({ since }, 'cloud feed position too old; asking for a snapshot');
        since = 0;
        continue;
      }
      if (response.status === 401 || response.status === 403) return this.authRefused(response.status);
      if (response.status !== 200) return this.failed(`cloud answered HTTP ${response.status}`);
      const feed = await this.verify(response.body, response.headers[SIGNATURE_HEADER]);
      if (feed === null || !this.running) return 'failed';
      this.measureSkew(feed);
      const verdict = checkFeed(feed, this.state, this.deps.cloud.gatewayId);
      if (verdict.kind === 'reject') {
        this.reject(verdict.reason, verdict.detail, feed);
        if (verdict.reason === 'gap' && since !== 0) {
          since = 0;
          continue;
        }
        return 'failed';
      }
      if (verdict.kind === 'up-to-date') return this.succeeded(feed);
      await nextTurn();
      if (!this.running) return 'failed';
      this.apply(feed);
      if (!feed.hasMore) return 'ok';
      since = feed.to;
    }
    return this.running ? this.failed('cloud feed did not settle') : 'failed';
  }

  /**
   * Checks the signature, then parses and checks the body. Each step is synchronous and a 100,000-key
   * snapshot takes a few hundred ms of each; the event loop gets a turn between them (and before the
   * apply), so print requests that came meanwhile are served in between, not after all of it.
   */
  private async verify(body: Buffer, header: string | string[] | undefined): Promise<CloudFeed | null> {
    const signature = Array.isArray(header) ? header.join(',') : header;
    if (!verifyFeedSignature(body, signature, this.publicKeys)) {
      this.reject('bad-signature', signature === undefined ? 'no Printgate-Signature header' : 'signature does not verify against cloud.publicKeys');
      return null;
    }
    await nextTurn();
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      this.reject('malformed', 'body is not JSON');
      return null;
    }
    await nextTurn();
    const result = cloudFeedSchema.safeParse(parsed);
    if (!result.success) {
      this.reject('malformed', result.error.issues.slice(0, 3).map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
      return null;
    }
    return result.data;
  }

  private apply(feed: CloudFeed): void {
    const now = this.deps.now();
    const next: PersistedSyncState = { appliedSeq: feed.to, issuedAt: clampIssuedAt(feed.issuedAt, now.getTime()), lastSuccessAt: now.toISOString() };
    const started = Date.now();
    const result = this.writer.apply(feed, next);
    this.state = next;
    this.recovered();
    this.deps.log.info(
      {
        full: feed.full,
        from: feed.from,
        to: feed.to,
        events: feed.events.length,
        upserted: result.upserted,
        revoked: result.revokedKeyIds.length,
        removed: result.removedKeyIds.length,
        skipped: result.skipped,
        ms: Date.now() - started,
      },
      'cloud feed applied',
    );
    if (result.unknownPermissions.length > 0) {
      this.deps.log.warn({ permissions: result.unknownPermissions }, 'cloud keys name unknown permissions; ignored');
    }
    if (feed.full && feed.hasMore) this.deps.log.warn({ to: feed.to }, 'paged cloud snapshot: keys absent from it were kept');
    if (result.upserted > 0 || result.revokedKeyIds.length > 0 || result.removedKeyIds.length > 0) {
      const change: KeysChanged = { upserted: result.upserted, revokedKeyIds: result.revokedKeyIds, removedKeyIds: result.removedKeyIds };
      for (const listener of this.listeners) {
        try {
          listener(change);
        } catch (error) {
          this.deps.log.error({ err: error }, 'cloud keys-changed listener failed');
        }
      }
    }
  }

  /** A signed feed tells the cloud's time: log once when it drifts past maxClockSkewSeconds, once when it is back. */
  private measureSkew(feed: CloudFeed): void {
    const change = this.skew.record(skewSeconds(feed.issuedAt, this.deps.now().getTime()));
    if (!change) return;
    const fields = { clockSkewSeconds: change.seconds, maxClockSkewSeconds: this.deps.cloud.maxClockSkewSeconds ?? 120, issuedAt: feed.issuedAt };
    if (change.skewed) this.deps.log.warn(fields, "cloud clock skewed: feeds still apply in sequence order, staleness counts from the gateway's clock");
    else this.deps.log.info(fields, 'cloud clock back within maxClockSkewSeconds');
  }

  /** A 304 or an empty feed at our position: nothing new as of now (a feed's issuedAt, clamped, for staleness). */
  private succeeded(feed: CloudFeed | null): PullOutcome {
    const now = this.deps.now();
    const next: PersistedSyncState = { ...this.state, lastSuccessAt: now.toISOString(), issuedAt: feed === null ? now.toISOString() : clampIssuedAt(feed.issuedAt, now.getTime()) };
    this.deps.db.transaction(() => this.store.save(next))();
    this.state = next;
    this.recovered();
    return 'ok';
  }

  private recovered(): void {
    if (this.outageLogged || this.authRefusalLogged) this.deps.log.info({ appliedSeq: this.state.appliedSeq }, 'cloud sync recovered');
    this.outageLogged = false;
    this.authRefusalLogged = false;
    this.lastError = null;
  }

  private reject(reason: RejectReason, detail: string, feed?: CloudFeed): void {
    this.rejected[reason] += 1;
    this.lastError = `feed rejected (${reason}): ${detail}`;
    this.deps.log.warn(
      { reason, detail, appliedSeq: this.state.appliedSeq, ...(feed ? { from: feed.from, to: feed.to, full: feed.full } : {}) },
      'cloud feed rejected',
    );
  }

  private authRefused(status: number): PullOutcome {
    this.lastError = `cloud refused the gateway token (HTTP ${status})`;
    if (!this.authRefusalLogged) {
      this.authRefusalLogged = true;
      this.deps.log.error({ status, gatewayId: this.deps.cloud.gatewayId }, 'cloud refused the gateway token; check cloud.tokenFile');
    }
    return 'failed';
  }

  private failed(reason: string): PullOutcome {
    this.lastError = reason;
    if (this.running && !this.outageLogged && !this.authRefusalLogged) {
      this.outageLogged = true;
      this.deps.log.warn({ reason }, 'cloud sync failed; local and synced keys keep working');
    }
    return 'failed';
  }

  private connectStream(): void {
    if (!this.running) return;
    this.streamTimer = null;
    const url = new URL(`v1/gateways/${encodeURIComponent(this.deps.cloud.gatewayId)}/keys/stream`, this.base);
    let connectedAt = 0;
    let dropped = false;
    const drop = (reason: string): void => {
      if (dropped) return;
      dropped = true;
      this.stream?.destroy();
      this.stream = null;
      const wasConnected = this.streamConnected;
      this.streamConnected = false;
      if (!this.running) return;
      if (connectedAt > 0 && Date.now() - connectedAt > STREAM_STABLE_MS) this.streamFailures = 0;
      if (wasConnected) {
        // A cloud that sends no keep-alive comments makes a healthy stream look idle: reopen it quietly.
        if (reason === 'stream idle') this.deps.log.debug({ reason }, 'cloud push stream lost; polling meanwhile');
        else this.deps.log.warn({ reason }, 'cloud push stream lost; polling meanwhile');
        this.schedulePoll('ok'); // stream down: poll every pollSeconds from now
      }
      const delay = backoffDelay(this.streamFailures++, STREAM_INITIAL_MS, STREAM_MAX_MS, this.random);
      this.deps.log.debug({ reason, delayMs: delay }, 'cloud push stream reconnect scheduled');
      this.streamTimer = setTimeout(() => this.connectStream(), delay);
      this.streamTimer.unref();
    };
    cloudOpenStream(url, this.headers('text/event-stream'), this.abort.signal, this.timeoutMs).then(
      (response) => {
        if (!this.running) {
          response.destroy();
          return;
        }
        if (response.statusCode !== 200) {
          response.resume();
          if (response.statusCode === 401 || response.statusCode === 403) this.authRefused(response.statusCode);
          drop(`stream answered HTTP ${response.statusCode}`);
          return;
        }
        this.stream = response;
        this.streamConnected = true;
        connectedAt = Date.now();
        this.deps.log.info('cloud push stream connected');
        void this.pull(); // catch up on anything published while the stream was down
        const parser = new SseParser((event) => {
          if (event.event !== 'changed') return;
          let seq = Number.POSITIVE_INFINITY;
          try {
            const value = (JSON.parse(event.data) as { seq?: unknown }).seq;
            if (typeof value === 'number') seq = value;
          } catch {
            // a changed event we cannot read still means "pull"
          }
          if (seq > this.state.appliedSeq) void this.pull();
        });
        response.setEncoding('utf8');
        response.setTimeout(STREAM_IDLE_MS, () => drop('stream idle'));
        response.on('data', (chunk: string) => parser.push(chunk));
        response.on('end', () => drop('stream ended'));
        response.on('close', () => drop('stream closed'));
        response.on('error', (error) => drop(error.message));
      },
      (error: unknown) => drop(error instanceof Error ? error.message : String(error)),
    );
  }
}
