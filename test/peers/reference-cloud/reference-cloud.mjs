// Types: reference-cloud.d.mts (kept beside it by hand).
/**
 * A reference cloud speaking key sync protocol v1 (shared/spec/cloud-sync.md), for tests, the cloud
 * bench and `npm run dev:cloud`: a real HTTP server with a generated Ed25519 key, snapshots and
 * deltas with a sequence, 304 and 410, the `changed` push stream, fault modes and a clock offset a
 * test can switch on. Plain JavaScript (types in reference-cloud.d.mts) so that it runs without a
 * build and never ships in dist/: nothing in the gateway imports it.
 */

import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import http from 'node:http';
export function sha256Of(key) {
    return createHash('sha256').update(key.toLowerCase(), 'utf8').digest('hex');
}
function rawPublicKey(key) {
    const jwk = key.export({ format: 'jwk' });
    return Buffer.from(jwk.x, 'base64url').toString('base64');
}
export class ReferenceCloud {
    options;
    gatewayId;
    token;
    /** base64 of the raw 32-byte public key, as `cloud.publicKeys` wants it. */
    publicKey;
    url = '';
    fault = 'none';
    slowMs;
    /** Added to this cloud's clock for the issuedAt of its feeds (a cloud whose clock is ahead, behind, or jumps). */
    clockOffsetMs = 0;
    requests = [];
    /** Requests that arrived, counted before any fault delays them. */
    received = 0;
    privateKey;
    strangerKey;
    events = [];
    seq = 0;
    /** `since` below this answers 410 (events before it were compacted away). */
    oldestSince = 0;
    /** The first genuine feed sent, which the 'replay' fault sends again (only that one is kept). */
    firstFeed;
    streams = new Set();
    sockets = new Set();
    server;
    pingTimer = null;
    constructor(options) {
        this.options = options;
        this.gatewayId = options.gatewayId ?? 'gw-0001';
        this.token = options.state?.token ?? options.token ?? `pgc_${randomUUID()}`;
        this.slowMs = options.slowMs ?? 5000;
        this.privateKey = options.state ? createPrivateKey(options.state.privateKeyPem) : generateKeyPairSync('ed25519').privateKey;
        this.publicKey = rawPublicKey(createPublicKey(this.privateKey));
        if (options.state) {
            this.seq = options.state.seq;
            this.oldestSince = options.state.oldestSince;
            this.events.push(...options.state.events);
        }
        this.strangerKey = generateKeyPairSync('ed25519').privateKey;
        this.server = http.createServer((req, res) => void this.handle(req, res));
        this.server.on('connection', (socket) => {
            if (this.fault === 'down') {
                socket.destroy();
                return;
            }
            this.sockets.add(socket);
            socket.on('close', () => this.sockets.delete(socket));
        });
    }
    static async start(options = {}) {
        const cloud = new ReferenceCloud(options);
        await new Promise((resolve, reject) => {
            cloud.server.once('error', reject);
            cloud.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
        });
        const address = cloud.server.address();
        cloud.url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}/`;
        const ping = (options.pingSeconds ?? 15) * 1000;
        cloud.pingTimer = setInterval(() => cloud.streams.forEach((stream) => stream.write(': ping\n\n')), ping);
        cloud.pingTimer.unref();
        return cloud;
    }
    /** The `cloud:` section of printgate.yaml for this cloud (tokenFile is the caller's). */
    configFor(tokenFile) {
        return { url: this.url, gatewayId: this.gatewayId, tokenFile, publicKeys: [this.publicKey] };
    }
    exportState() {
        return {
            privateKeyPem: this.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
            token: this.token,
            seq: this.seq,
            oldestSince: this.oldestSince,
            events: this.events,
        };
    }
    get currentSeq() {
        return this.seq;
    }
    get streamCount() {
        return this.streams.size;
    }
    /** Publishes a key.upserted; returns the key (when minted here), its id, hash and seq. */
    upsert(input = {}) {
        const key = input.key ?? (input.sha256 ? null : randomUUID());
        const sha256 = input.sha256 ?? sha256Of(key);
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
    revoke(input) {
        const sha256 = input.sha256 ?? (input.key ? sha256Of(input.key) : null);
        return this.publish({ type: 'key.revoked', keyId: input.keyId ?? null, sha256, revokedAt: new Date().toISOString() });
    }
    /**
     * Deletes a key from the cloud without revoking it (protocol v1 has no event for that): the seq
     * moves on and older positions answer 410, so gateways take a snapshot that no longer lists it.
     */
    remove(keyId) {
        for (let index = this.events.length - 1; index >= 0; index -= 1) {
            const event = this.events[index];
            if (event.type === 'key.upserted' && event.keyId === keyId)
                this.events.splice(index, 1);
        }
        this.seq += 1;
        this.oldestSince = this.seq;
        for (const stream of this.streams)
            stream.write(`event: changed\ndata: ${JSON.stringify({ seq: this.seq })}\n\n`);
        return this.seq;
    }
    /** Forgets events up to the current seq: a gateway asking from before it gets 410. */
    compact() {
        this.oldestSince = this.seq;
    }
    /** Ends every open push stream (the gateway should reconnect). */
    dropStreams() {
        for (const stream of this.streams)
            stream.destroy();
        this.streams.clear();
    }
    setFault(fault) {
        this.fault = fault;
        if (fault === 'down') {
            this.dropStreams();
            for (const socket of this.sockets)
                socket.destroy();
        }
        if (fault === 'no-stream')
            this.dropStreams();
    }
    async stop() {
        if (this.pingTimer)
            clearInterval(this.pingTimer);
        this.dropStreams();
        for (const socket of this.sockets)
            socket.destroy();
        await new Promise((resolve) => this.server.close(() => resolve()));
    }
    publish(event) {
        this.seq += 1;
        this.events.push({ seq: this.seq, ...event });
        for (const stream of this.streams)
            stream.write(`event: changed\ndata: ${JSON.stringify({ seq: this.seq })}\n\n`);
        return this.seq;
    }
    async handle(req, res) {
        const url = new URL(req.url ?? '/', 'http://cloud');
        const sinceText = url.searchParams.get('since');
        const since = sinceText === null ? null : Number(sinceText);
        this.received += 1;
        const answer = (status, headers = {}, body = '') => {
            this.requests.push({ path: url.pathname, since, status });
            res.writeHead(status, headers).end(body);
        };
        if (this.fault === 'slow')
            await new Promise((resolve) => setTimeout(resolve, this.slowMs));
        if (res.destroyed)
            return;
        const base = `/v1/gateways/${encodeURIComponent(this.gatewayId)}/keys`;
        if (this.fault === 'unauthorized' || req.headers.authorization !== `Bearer ${this.token}`) {
            answer(401, { 'content-type': 'application/json' }, '{"error":"unauthorized"}');
            return;
        }
        if (req.method !== 'GET')
            return answer(405);
        if (url.pathname === `${base}/stream`)
            return this.openStream(url.pathname, res, answer);
        if (url.pathname !== base)
            return answer(404);
        if (since === null || !Number.isInteger(since) || since < 0)
            return answer(400);
        const feed = this.feedAfter(since);
        if (feed === 410 || feed === 304)
            return answer(feed);
        const replayed = this.fault === 'replay' ? this.firstFeed : undefined;
        const body = replayed?.body ?? JSON.stringify(feed);
        const signature = replayed?.signature ?? sign(null, Buffer.from(body), this.fault === 'bad-signature' ? this.strangerKey : this.privateKey).toString('base64');
        if (!replayed && this.fault === 'none' && this.options.keepFirstFeed !== false)
            this.firstFeed ??= { body, signature };
        answer(200, { 'content-type': 'application/json; charset=utf-8', 'printgate-signature': `ed25519=${signature}` }, body);
    }
    feedAfter(since) {
        const issuedAt = new Date(Date.now() + this.clockOffsetMs).toISOString();
        const gatewayId = this.fault === 'wrong-gateway' ? 'gw-someone-else' : this.gatewayId;
        if (this.fault === 'rollback') {
            // A cloud restored from an old backup: a snapshot that ends below what it sent before.
            const to = Math.max(0, Math.min(1, this.seq));
            const events = this.events.filter((event) => event.seq <= to);
            return { gatewayId, issuedAt, full: true, from: 1, to, events, hasMore: false };
        }
        if (since === 0) {
            const revoked = this.events.filter((event) => event.type === 'key.revoked');
            const revokedIds = new Set(revoked.map((event) => event.keyId).filter((id) => id !== null));
            const revokedShas = new Set(revoked.map((event) => event.sha256).filter((sha) => sha !== null));
            const latest = new Map();
            for (const event of this.events)
                if (event.type === 'key.upserted')
                    latest.set(event.keyId, event);
            const live = [...latest.values()].filter((event) => !revokedIds.has(event.keyId) && !revokedShas.has(event.sha256));
            const events = [...live, ...revoked].sort((a, b) => a.seq - b.seq);
            return { gatewayId, issuedAt, full: true, from: 1, to: this.seq, events, hasMore: false };
        }
        if (since < this.oldestSince)
            return 410;
        if (since >= this.seq)
            return 304;
        let events = this.events.filter((event) => event.seq > since);
        let from = since + 1;
        if (this.fault === 'gap' && events.length > 1) {
            events = events.slice(1);
            from += 1;
        }
        return { gatewayId, issuedAt, full: false, from, to: this.seq, events, hasMore: false };
    }
    openStream(path, res, answer) {
        if (this.fault === 'no-stream')
            return answer(503);
        this.requests.push({ path, since: null, status: 200 });
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
        res.write(': hello\n\n');
        this.streams.add(res);
        res.on('close', () => this.streams.delete(res));
    }
}
