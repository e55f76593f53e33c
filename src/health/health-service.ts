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
  /** The data disk: full → degraded, naming it. */
  storage?: { problem(): string | null };
  /** Cloud key sync state; absent when cloud sync is off. */
  cloudStatus?: (() => CloudSyncStatus) | undefined;
  /** Jobs waiting for a printer (pending, processing, held). */
  queued?: (printerId: string) => number;
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

  /**
   * A printer that is stopped is a problem when it is one the box was set up for (configured) or
   * jobs wait for it; a discovered printer that went away with nothing queued is not.
   */
  private printerProblems(): string[] {
    const problems: string[] = [];
    for (const printer of this.deps.registry.list()) {
      const status = this.deps.registry.status(printer.id);
      if (status.state !== 'stopped') continue;
      const queued = this.deps.queued?.(printer.id) ?? 0;
      if (printer.source !== 'config' && queued === 0) continue;
      const why = status.reasons.length > 0 ? status.reasons.join(', ') : 'stopped';
      const waiting = queued === 0 ? 'no job waits' : queued === 1 ? '1 job waits' : `${queued} jobs wait`;
      problems.push(`printer ${printer.id}: ${why}${status.lastError ? ` (${status.lastError})` : ''}; ${waiting}`);
    }
    return problems;
  }

  report(): HealthReport {
    const dbOk = this.dbHealthy();
    const cloud = this.deps.cloudStatus?.() ?? null;
    const problems = [
      ...(dbOk ? [] : ['database: queries fail; check the data directory and disk']),
      ...[this.deps.storage?.problem() ?? null].filter((problem): problem is string => problem !== null),
      ...(cloud?.stale ? [`cloud sync: stale (last success ${cloud.lastSuccessAt ?? 'never'}; ${cloud.lastError ?? 'no error recorded'})`] : []),
      ...(cloud?.clockSkewed
        ? [`cloud-clock-skew: the cloud's clock is ${Math.round(cloud.clockSkewSeconds ?? 0)} s off this gateway's (cloud.maxClockSkewSeconds ${cloud.maxClockSkewSeconds}); check NTP on both`]
        : []),
      ...this.printerProblems(),
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
