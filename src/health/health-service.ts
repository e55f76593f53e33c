import type { CloudSyncStatus } from '../cloud/cloud-sync-status.js';
import type { Db } from '../db/open-database.js';
import type { PrinterRegistry } from '../printers/printer-registry.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  /** What a person should look at, in words; empty when ok. */
  problems: string[];
  db: 'ok' | 'error';
  cloudSyncAgeSeconds: number | null;
  cloud: CloudSyncStatus | null;
  printers: { id: string; state: string }[];
}

export interface HealthServiceDeps {
  db: Db;
  registry: PrinterRegistry;
  /** Cloud key sync state; absent when cloud sync is off. */
  cloudStatus?: (() => CloudSyncStatus) | undefined;
}

/** The gateway's health, as /healthz, doctor and the status page tell it. */
export class HealthService {
  private readonly ping;

  constructor(private readonly deps: HealthServiceDeps) {
    this.ping = deps.db.prepare('SELECT 1 AS ok');
  }

  private dbHealthy(): boolean {
    try {
      return this.ping.get() !== undefined;
    } catch {
      return false;
    }
  }

  report(): HealthReport {
    const dbOk = this.dbHealthy();
    const cloud = this.deps.cloudStatus?.() ?? null;
    const problems = [
      ...(dbOk ? [] : ['database: queries fail; check the data directory and disk']),
      ...(cloud?.stale ? [`cloud sync: stale (last success ${cloud.lastSuccessAt ?? 'never'}; ${cloud.lastError ?? 'no error recorded'})`] : []),
    ];
    return {
      status: problems.length === 0 ? 'ok' : 'degraded',
      problems,
      db: dbOk ? 'ok' : 'error',
      cloudSyncAgeSeconds: cloud?.syncAgeSeconds ?? null,
      cloud,
      printers: this.deps.registry.list().map((printer) => ({ id: printer.id, state: this.deps.registry.status(printer.id).state })),
    };
  }
}
