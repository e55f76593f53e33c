import type { RejectReason } from './cloud-feed.js';

/** What /healthz and /metrics show about key sync. Nothing secret. */
export interface CloudSyncStatus {
  enabled: boolean;
  appliedSeq: number;
  /** issuedAt of the last feed, clamped to the gateway's clock (now, for a 304): what staleness counts from. */
  issuedAt: string | null;
  lastSuccessAt: string | null;
  /** Seconds since the last successful sync; null before the first. */
  syncAgeSeconds: number | null;
  streamConnected: boolean;
  /** True while maxStalenessSeconds > 0 and the last success is older than that (or never). */
  stale: boolean;
  /** The last failure, in words (never a token). Null after a success. */
  lastError: string | null;
  /** The cloud's clock minus the gateway's, in seconds, measured on the last signed feed; null before one. */
  clockSkewSeconds: number | null;
  /** True while |clockSkewSeconds| > cloud.maxClockSkewSeconds: /healthz is degraded with reason cloud-clock-skew. */
  clockSkewed: boolean;
  maxClockSkewSeconds: number;
  /** printgate_cloud_sync_rejected_total{reason} */
  rejected: Record<RejectReason, number>;
}

/** Keys a sync changed; event streams of revoked, removed or narrowed keys should be closed. */
export interface KeysChanged {
  /** Cloud keys added or changed (a change may disable a key or take a permission away). */
  upserted: number;
  revokedKeyIds: string[];
  removedKeyIds: string[];
}
