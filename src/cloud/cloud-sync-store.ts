import type { Db } from '../db/open-database.js';

/** What survives a restart: where the feed stands. */
export interface PersistedSyncState {
  appliedSeq: number;
  issuedAt: string | null;
  lastSuccessAt: string | null;
}

interface StateRow {
  cloud_url: string;
  gateway_id: string;
  applied_seq: number;
  issued_at: string | null;
  last_success_at: string | null;
}

export interface CloudSyncStoreDeps {
  db: Db;
  cloudUrl: string;
  gatewayId: string;
}

/**
 * SQL for the single cloud_sync_state row. The sequence belongs to one cloud and one gateway id:
 * when either changes in the config, the position restarts at 0 (a full snapshot) while the
 * revocations already learnt stay.
 */
export class CloudSyncStore {
  constructor(private readonly deps: CloudSyncStoreDeps) {}

  load(): PersistedSyncState {
    const row = this.deps.db.prepare('SELECT * FROM cloud_sync_state WHERE id = 1').get() as StateRow | undefined;
    if (!row || row.cloud_url !== this.deps.cloudUrl || row.gateway_id !== this.deps.gatewayId) {
      return { appliedSeq: 0, issuedAt: null, lastSuccessAt: row?.last_success_at ?? null };
    }
    return { appliedSeq: row.applied_seq, issuedAt: row.issued_at, lastSuccessAt: row.last_success_at };
  }

  /** Writes the new position; call inside the transaction that applies the feed. */
  save(state: PersistedSyncState): void {
    this.deps.db
      .prepare(
        `INSERT INTO cloud_sync_state (id, cloud_url, gateway_id, applied_seq, issued_at, last_success_at)
         VALUES (1, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET cloud_url = excluded.cloud_url, gateway_id = excluded.gateway_id,
           applied_seq = excluded.applied_seq, issued_at = excluded.issued_at, last_success_at = excluded.last_success_at`,
      )
      .run(this.deps.cloudUrl, this.deps.gatewayId, state.appliedSeq, state.issuedAt, state.lastSuccessAt);
  }
}
