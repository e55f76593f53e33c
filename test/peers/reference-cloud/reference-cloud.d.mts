/**
 * A reference cloud speaking key sync protocol v1 (shared/spec/cloud-sync.md), for tests, the cloud
 * bench and `npm run dev:cloud`: a real HTTP server with a generated Ed25519 key, snapshots and
 * deltas with a sequence, 304 and 410, the `changed` push stream, fault modes and a clock offset a
 * test can switch on. Plain JavaScript (types in reference-cloud.d.mts) so that it runs without a
 * build and never ships in dist/: nothing in the gateway imports it.
 */
export type CloudFault = 'none' | 'down' | 'slow' | 'bad-signature' | 'replay' | 'gap' | 'wrong-gateway' | 'rollback' | 'unauthorized' | 'no-stream';
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
export declare function sha256Of(key: string): string;
export declare class ReferenceCloud {
    private readonly options;
    readonly gatewayId: string;
    readonly token: string;
    /** base64 of the raw 32-byte public key, as `cloud.publicKeys` wants it. */
    readonly publicKey: string;
    url: string;
    fault: CloudFault;
    slowMs: number;
    /** Added to this cloud's clock for the issuedAt of its feeds (a cloud whose clock is ahead, behind, or jumps). */
    clockOffsetMs: number;
    readonly requests: CloudRequest[];
    /** Requests that arrived, counted before any fault delays them. */
    received: number;
    private readonly privateKey;
    private readonly strangerKey;
    private readonly events;
    private seq;
    /** `since` below this answers 410 (events before it were compacted away). */
    private oldestSince;
    /** The first genuine feed sent, which the 'replay' fault sends again (only that one is kept). */
    private firstFeed;
    private readonly streams;
    private readonly sockets;
    private readonly server;
    private pingTimer;
    private constructor();
    static start(options?: ReferenceCloudOptions): Promise<ReferenceCloud>;
    /** The `cloud:` section of printgate.yaml for this cloud (tokenFile is the caller's). */
    configFor(tokenFile: string): Record<string, unknown>;
    exportState(): ReferenceCloudState;
    get currentSeq(): number;
    get streamCount(): number;
    /** Publishes a key.upserted; returns the key (when minted here), its id, hash and seq. */
    upsert(input?: UpsertInput): {
        key: string | null;
        keyId: string;
        sha256: string;
        seq: number;
    };
    /** Publishes a key.revoked by keyId and/or sha256 (or the key itself). */
    revoke(input: RevokeInput): number;
    /**
     * Deletes a key from the cloud without revoking it (protocol v1 has no event for that): the seq
     * moves on and older positions answer 410, so gateways take a snapshot that no longer lists it.
     */
    remove(keyId: string): number;
    /** Forgets events up to the current seq: a gateway asking from before it gets 410. */
    compact(): void;
    /** Ends every open push stream (the gateway should reconnect). */
    dropStreams(): void;
    setFault(fault: CloudFault): void;
    stop(): Promise<void>;
    private publish;
    private handle;
    private feedAfter;
    private openStream;
}
