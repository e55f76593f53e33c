import type { CloudSyncStatus } from './cloud-sync-status.js';

/** Prometheus text lines for the cloud sync state (for /metrics until prom-client gauges wrap it). */
export function cloudMetricsText(status: CloudSyncStatus): string {
  const lines = [
    '# HELP printgate_cloud_sync_rejected_total Cloud feeds refused, by reason.',
    '# TYPE printgate_cloud_sync_rejected_total counter',
    ...Object.entries(status.rejected).map(([reason, count]) => `printgate_cloud_sync_rejected_total{reason="${reason}"} ${count}`),
    '# HELP printgate_cloud_sync_applied_seq Last applied cloud feed sequence number.',
    '# TYPE printgate_cloud_sync_applied_seq gauge',
    `printgate_cloud_sync_applied_seq ${status.appliedSeq}`,
    '# HELP printgate_cloud_sync_age_seconds Seconds since the last successful sync (-1 before the first).',
    '# TYPE printgate_cloud_sync_age_seconds gauge',
    `printgate_cloud_sync_age_seconds ${status.syncAgeSeconds ?? -1}`,
    '# HELP printgate_cloud_sync_stream_connected 1 while the push stream is open.',
    '# TYPE printgate_cloud_sync_stream_connected gauge',
    `printgate_cloud_sync_stream_connected ${status.streamConnected ? 1 : 0}`,
    '# HELP printgate_cloud_sync_stale 1 while key sync is older than cloud.maxStalenessSeconds.',
    '# TYPE printgate_cloud_sync_stale gauge',
    `printgate_cloud_sync_stale ${status.stale ? 1 : 0}`,
  ];
  return lines.join('\n') + '\n';
}
