import { Counter, Gauge, type Registry } from 'prom-client';
import { REJECT_REASONS } from './cloud-feed.js';
import type { CloudSyncStatus } from './cloud-sync-status.js';

/**
 * The cloud sync state on /metrics, read from the client's status at each scrape:
 * printgate_cloud_sync_rejected_total{reason}, applied seq, sync age, stream state, staleness, clock skew.
 */
export function registerCloudMetrics(registry: Registry, status: () => CloudSyncStatus): void {
  const gauge = (name: string, help: string, value: (s: CloudSyncStatus) => number): void => {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value(status()));
      },
    });
  };
  new Counter({
    name: 'printgate_cloud_sync_rejected_total',
    help: 'Cloud feeds refused, by reason (bad-signature, malformed, wrong-gateway, replay, rollback, gap)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      // The client owns the counts; the counter mirrors them at each scrape.
      const counts = status().rejected;
      this.reset();
      for (const reason of REJECT_REASONS) this.inc({ reason }, counts[reason]);
    },
  });
  gauge('printgate_cloud_sync_applied_seq', 'Last applied cloud feed sequence number', (s) => s.appliedSeq);
  gauge('printgate_cloud_sync_age_seconds', 'Seconds since the last successful sync (-1 before the first)', (s) => s.syncAgeSeconds ?? -1);
  gauge('printgate_cloud_sync_last_success_timestamp_seconds', 'Unix time of the last successful sync (0 before the first)', (s) =>
    s.lastSuccessAt === null ? 0 : Date.parse(s.lastSuccessAt) / 1000,
  );
  gauge('printgate_cloud_sync_stream_connected', '1 while the push stream is open', (s) => (s.streamConnected ? 1 : 0));
  gauge('printgate_cloud_sync_stale', '1 while key sync is older than cloud.maxStalenessSeconds', (s) => (s.stale ? 1 : 0));
  gauge('printgate_cloud_clock_skew_seconds', "Cloud clock minus the gateway's clock, measured on the last signed feed (0 before one)", (s) => s.clockSkewSeconds ?? 0);
  gauge('printgate_cloud_clock_skewed', '1 while the cloud clock is further off than cloud.maxClockSkewSeconds', (s) => (s.clockSkewed ? 1 : 0));
}
