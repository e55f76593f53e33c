import type { HealthService } from '../../health/health-service.js';
import type { JobsService } from '../../jobs/jobs-service.js';
import { canSeeKey } from '../../keys/key-policy.js';
import type { KeyRecord, KeyStore } from '../../keys/key-store.js';
import { keyView } from '../../keys/key-view.js';
import type { DevicesService } from '../../printers/devices-service.js';
import type { Printer } from '../../printers/printer-registry.js';
import { jobView } from '../native/job-view.js';
import { printerView } from '../native/printer-view.js';
import type { RecentErrors } from './recent-errors.js';
import type { StatusPageSources } from './status-sources.js';

/** Jobs the page lists (newest first). */
export const RECENT_JOBS = 20;

/** Where the page reads a job's preview with a ViewStatus key. */
export const statusPreviewPath = (jobId: string): string => `/api/v1/status/jobs/${jobId}/preview.png`;

export interface StatusSnapshotDeps {
  devices: DevicesService;
  jobs: JobsService;
  keys: KeyStore;
  health: HealthService;
  errors: RecentErrors;
  sources: StatusPageSources;
  version: string;
  now: () => Date;
}

/**
 * Everything the status page shows, as one JSON document for a key with ViewStatus, limited to
 * what that key may see (a group-limited key: its groups' printers, jobs and errors, and the keys
 * it could manage). Holds no secret: keys appear as keyView (prefix + last 4), never the key.
 */
export class StatusSnapshot {
  private readonly startedAt: string;

  constructor(private readonly deps: StatusSnapshotDeps) {
    this.startedAt = deps.now().toISOString();
  }

  build(caller: KeyRecord): Record<string, unknown> {
    const { devices, jobs, keys, health, errors, sources, version, now } = this.deps;
    const at = now();
    const report = health.report();
    return {
      gateway: {
        version,
        now: at.toISOString(),
        startedAt: this.startedAt,
        status: report.status,
        problems: report.problems,
        db: report.db,
      },
      printers: devices.list(caller).map((printer) => this.printerOf(printer)),
      jobs: jobs.list({ limit: RECENT_JOBS }, caller).jobs.map((job) => ({ ...jobView(job), preview: statusPreviewPath(job.id) })),
      keys: keys
        .list()
        .filter((key) => canSeeKey(caller, key))
        .map((key) => keyView(key, at)),
      cloud: report.cloud,
      tls: sources.tls(),
      errors: errors.list(caller),
    };
  }

  /** One printer as the page shows it, or null when the caller may not see it (or it is gone). */
  printer(id: string, caller: KeyRecord): Record<string, unknown> | null {
    const printer = this.deps.devices.list(caller).find((candidate) => candidate.id === id);
    return printer ? this.printerOf(printer) : null;
  }

  private printerOf(printer: Printer): Record<string, unknown> {
    const { devices, jobs } = this.deps;
    const held = jobs.list({ printerId: printer.id, state: 'held', limit: 200 }).jobs.length;
    return { ...printerView(printer, devices.status(printer.id), jobs.queuedJobs(printer.id)), displayName: devices.displayName(printer), heldJobs: held };
  }
}
