import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A reference cloud speaking key sync protocol v1 (shared/spec/cloud-sync.md), for tests and for
 * `npm run dev:cloud`: a real HTTP server with a generated Ed25519 key, snapshots and deltas with a
 * sequence, 304 and 410, the `changed` push stream, and fault modes a test can switch on.
 * Nothing in the gateway imports it.
 */

export type CloudFault =
  | 'none'
  | 'down' // every connection is dropped at once
  | 'slow' // answers after slowMs
  | 'bad-signature' // feeds signed with a key the gateway does not trust
  | 'replay' // the oldest feed ever sent, with its genuine signature
  | 'gap' // deltas skip their first event
  | 'wrong-gateway' // feeds name another gateway
  | 'rollback' // feeds carry an issuedAt far in the past
  | 'unauthorized' // every request answers 401
  | 'no-stream'; // the push stream answers 503; pulls work

export interface UpsertInput {
  /** The key itself (a GUID); minted when neither key nor sha256 is given. */
  key?: string;
  sha256?: string;
  keyId?: string;
  name?: string;
  permissions?: string[];
  groups?: string[];
  expiresAt?: string | null;
  disabled?: boolean;
}

export interface RevokeInput {
  keyId?: string | null;
  sha256?: string | null;
  key?: string;
}

type FeedEvent = Record<string, unknown> & { seq: number; type: 'key.upserted' | 'key.revoked' };

export interface CloudRequest {
  path: string;
  since: number | null;
  status: number;
}

export interface ReferenceCloudOptions {
  gatewayId?: string;
  token?: string;
  host?: string;
  port?: number;
  slowMs?: number;
  /** Seconds between `: ping` comments on the stream. */
  pingSeconds?: number;
  /** Keep the first genuine feed for the 'replay' fault (default true; a benchmark turns it off to measure the gateway alone). */
  keepFirstFeed?: boolean;
  /** A previous run's state (`npm run dev:cloud` keeps one), so keys, seq and signing key survive. */
  state?: ReferenceCloudState;
}

/** Everything a reference cloud needs to come back as it was. Holds a private key: keep it 0600. */
export interface ReferenceCloudState {
  privateKeyPem: string;
  token: string;
  seq: number;
  oldestSince: number;
  events: Record<string, unknown>[];
}

export function sha256Of(key: string): string {
  return createHash('sha256').update(key.toLowerCase(), 'utf8').digest('hex');
}

function rawPublicKey(key: KeyObject): string {
  const jwk = key.export({ format: 'jwk' });
  return Buffer.from(jwk.x!, 'base64url').toString('base64');
}

export class ReferenceCloud {
  readonly gatewayId: string;
  readonly token: string;
  /** base64 of the raw 32-byte public key, as `cloud.publicKeys` wants it. */
  readonly publicKey: string;
  url = '';
  fault: CloudFault = 'none';
  slowMs: number;
  readonly requests: CloudRequest[] = [];
  /** Requests that arrived, counted before any fault delays them. */
  received = 0;

  private readonly privateKey: KeyObject;
  private readonly strangerKey: KeyObject;
  private readonly events: FeedEvent[] = [];
  private seq = 0;
  /** `since` below this answers 410 (events before it were compacted away). */
  private oldestSince = 0;
  /** The first genuine feed sent, which the 'replay' fault sends again (only that one is kept). */
  private firstFeed: { body: string; signature: string } | undefined;
  private readonly streams = new Set<ServerResponse>();
  private readonly sockets = new Set<Socket>();
  private readonly server: http.Server;
  private pingTimer: NodeJS.Timeout | null = null;

  private constructor(private readonly options: ReferenceCloudOptions) {
    this.gatewayId = options.gatewayId ?? 'gw-0001';
    this.token = options.state?.token ?? options.token ?? `pgc_${randomUUID()}`;
    this.slowMs = options.slowMs ?? 5000;
    this.privateKey = options.state ? createPrivateKey(options.state.privateKeyPem) : generateKeyPairSync('ed25519').privateKey;
    this.publicKey = rawPublicKey(createPublicKey(this.privateKey));
    if (options.state) {
      this.seq = options.state.seq;
      this.oldestSince = options.state.oldestSince;
      this.events.push(...(options.state.events as FeedEvent[]));
    }
    this.strangerKey = generateKeyPairSync('ed25519').privateKey;
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket: Socket) => {
      if (this.fault === 'down') {
        socket.destroy();
        return;
      }
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  static async start(options: ReferenceCloudOptions = {}): Promise<ReferenceCloud> {
    const cloud = new ReferenceCloud(options);
    await new Promise<void>((resolve, reject) => {
      cloud.server.once('error', reject);
      cloud.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    const address = cloud.server.address() as AddressInfo;
    cloud.url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`;
    const ping = (options.pingSeconds ?? 15) * 1000;
    cloud.pingTimer = setInterval(() => cloud.streams.forEach((stream) => stream.write(': ping\n\n')), ping);
    cloud.pingTimer.unref();
    return cloud;
  }

  /** The `cloud:` section of printgate.yaml for this cloud (tokenFile is the caller's). */
  configFor(tokenFile: string): Record<string, unknown> {
    return { url: this.url, gatewayId: this.gatewayId, tokenFile, publicKeys: [this.publicKey] };
  }

  exportState(): ReferenceCloudState {
    return {
      privateKeyPem: this.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      token: this.token,
      seq: this.seq,
      oldestSince: this.oldestSince,
      events: this.events,
    };
  }

  get currentSeq(): number {
    return this.seq;
  }

  get streamCount(): number {
    return this.streams.size;
  }

  /** Publishes a key.upserted; returns the key (when minted here), its id, hash and seq. */
  upsert(input: UpsertInput = {}): { key: string | null; keyId: string; sha256: string; seq: number } {
    const key = input.key ?? (input.sha256 ? null : randomUUID());
    const sha256 = input.sha256 ?? sha256Of(key!);
    const keyId = input.keyId ?? `ck_${randomUUID().slice(0, 8)}`;
    const seq = this.publish({
      type: 'key.upserted',
      keyId,
      sha256,
      name: input.name ?? keyId,
      permissions: input.permissions ?? ['PrintToDevice', 'ViewDevice'],
      groups: input.groups ?? [],
      expiresAt: input.expiresAt ?? null,
      disabled: input.disabled ?? false,
    });
    return { key, keyId, sha256, seq };
  }

  /** Publishes a key.revoked by keyId and/or sha256 (or the key itself). */
  revoke(input: RevokeInput): number {
    const sha256 = input.sha256 ?? (input.key ? sha256Of(input.key) : null);
    return this.publish({ type: 'key.revoked', keyId: input.keyId ?? null, sha256, revokedAt: new Date().toISOString() });
  }

  /**
   * Deletes a key from the cloud without revoking it (protocol v1 has no event for that): the seq
   * moves on and older positions answer 410, so gateways take a snapshot that no longer lists it.
   */
  remove(keyId: string): number {
    for (let index = this.events.length - 1; index >= 0; index -= 1) {
      const event = this.events[index]!;
      if (event.type === 'key.upserted' && event.keyId === keyId) this.events.splice(index, 1);
    }
    this.seq += 1;
    this.oldestSince = this.seq;
    for (const stream of this.streams) stream.write(`event: changed\ndata: ${JSON.stringify({ seq: this.seq })}\n\n`);
    return this.seq;
  }

  /** Forgets events up to the current seq: a gateway asking from before it gets 410. */
  compact(): void {
    this.oldestSince = this.seq;
  }

  /** Ends every open push stream (the gateway should reconnect). */
  dropStreams(): void {
    for (const stream of this.streams) stream.destroy();
    this.streams.clear();
  }

  setFault(fault: CloudFault): void {
    this.fault = fault;
    if (fault === 'down') {
      this.dropStreams();
      for (const socket of this.sockets) socket.destroy();
    }
    if (fault === 'no-stream') this.dropStreams();
  }

  async stop(): Promise<void> {
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.dropStreams();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private publish(event: Record<string, unknown> & { type: FeedEvent['type'] }): number {
    this.seq += 1;
    this.events.push({ seq: this.seq, ...event } as FeedEvent);
    for (const stream of this.streams) stream.write(`event: changed\ndata: ${JSON.stringify({ seq: this.seq })}\n\n`);
    return this.seq;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://cloud');
    const sinceText = url.searchParams.get('since');
    const since = sinceText === null ? null : Number(sinceText);
    this.received += 1;
    const answer = (status: number, headers: Record<string, string> = {}, body = ''): void => {
      this.requests.push({ path: url.pathname, since, status });
      res.writeHead(status, headers).end(body);
    };
    if (this.fault === 'slow') await new Promise((resolve) => setTimeout(resolve, this.slowMs));
    if (res.destroyed) return;
    const base = `/v1/gateways/${encodeURIComponent(this.gatewayId)}/keys`;
    if (this.fault === 'unauthorized' || req.headers.authorization !== `Bearer ${this.token}`) {
      answer(401, { 'content-type': 'application/json' }, '{"error":"unauthorized"}');
      return;
    }
    if (req.method !== 'GET') return answer(405);
    if (url.pathname === `${base}/stream`) return this.openStream(url.pathname, res, answer);
    if (url.pathname !== base) return answer(404);
    if (since === null || !Number.isInteger(since) || since < 0) return answer(400);
    const feed = this.feedAfter(since);
    if (feed === 410 || feed === 304) return answer(feed);
    const replayed = this.fault === 'replay' ? this.firstFeed : undefined;
    const body = replayed?.body ?? JSON.stringify(feed);
    const signature = replayed?.signature ?? sign(null, Buffer.from(body), this.fault === 'bad-signature' ? this.strangerKey : this.privateKey).toString('base64');
    if (!replayed && this.fault === 'none' && this.options.keepFirstFeed !== false) this.firstFeed ??= { body, signature };
    answer(200, { 'content-type': 'application/json; charset=utf-8', 'printgate-signature': `ed25519=${signature}` }, body);
  }

  private feedAfter(since: number): Record<string, unknown> | 304 | 410 {
    const issuedAt = this.fault === 'rollback' ? '2000-01-01T00:00:00.000Z' : new Date().toISOString();
    const gatewayId = this.fault === 'wrong-gateway' ? 'gw-someone-else' : this.gatewayId;
    if (since === 0) {
      const revoked = this.events.filter((event) => event.type === 'key.revoked');
      const revokedIds = new Set(revoked.map((event) => event.keyId as string | null).filter((id) => id !== null));
      const revokedShas = new Set(revoked.map((event) => event.sha256 as string | null).filter((sha) => sha !== null));
      const latest = new Map<string, FeedEvent>();
      for (const event of this.events) if (event.type === 'key.upserted') latest.set(event.keyId as string, event);
      const live = [...latest.values()].filter((event) => !revokedIds.has(event.keyId as string) && !revokedShas.has(event.sha256 as string));
      const events = [...live, ...revoked].sort((a, b) => a.seq - b.seq);
      return { gatewayId, issuedAt, full: true, from: 1, to: this.seq, events, hasMore: false };
    }
    if (since < this.oldestSince) return 410;
    if (since >= this.seq) return 304;
    let events = this.events.filter((event) => event.seq > since);
    let from = since + 1;
    if (this.fault === 'gap' && events.length > 1) {
      events = events.slice(1);
      from += 1;
    }
    return { gatewayId, issuedAt, full: false, from, to: this.seq, events, hasMore: false };
  }

  private openStream(path: string, res: ServerResponse, answer: (status: number) => void): void {
    if (this.fault === 'no-stream') return answer(503);
    this.requests.push({ path, since: null, status: 200 });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': hello\n\n');
    this.streams.add(res);
    res.on('close', () => this.streams.delete(res));
  }
}
