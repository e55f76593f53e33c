import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Language, PrinterProfile } from '../driver-api/index.js';
import { readPrinterStates } from '../http/status/printer-state-file.js';
import { checkClock, checkDatabase, checkDataDir, checkDisk, checkDiscovery, checkPort, checkService, checkTls, serviceHolder } from './doctor-box.js';
import { pass, type DoctorCheck } from './doctor-check.js';
import { checkCloud } from './doctor-cloud.js';
import { checkPrinters } from './doctor-printers.js';
import { printJson, type CliIo } from './cli-io.js';
import { openReadOnlyDatabase } from './read-only-database.js';
import { checkingIdentity, describeIdentity } from './service-user.js';

export type { DoctorCheck } from './doctor-check.js';

export interface DoctorOptions {
  /** --user: whose file access to check (default: the service user when run as root, else the caller). */
  user?: string | undefined;
  /** The languages and profiles the gateway is built with (status queries, `auto` languages). */
  parts: { languages: readonly Language[]; profiles: readonly PrinterProfile[] };
  now?: () => Date;
}

/** When each printer was last heard from (the database's last_seen_at), read without writing. */
function lastSeenOf(config: Readonly<Config>): Map<string, string | null> {
  try {
    const db = openReadOnlyDatabase(path.resolve(config.dataDir));
    if (!db) return new Map();
    try {
      return new Map((db.prepare('SELECT id, last_seen_at FROM printers').all() as { id: string; last_seen_at: string | null }[]).map((row) => [row.id, row.last_seen_at]));
    } finally {
      db.close();
    }
  } catch {
    return new Map();
  }
}

/**
 * doctor: checks what a technician would check and prints a fix for each failure. It changes
 * nothing: the database is read without being created (a missing one is "not started yet"),
 * file access is judged by mode bits for the user the service runs as, and while the gateway
 * runs its printers are reported as it sees them rather than probed under it.
 */
export async function runDoctor(config: Readonly<Config>, source: string | null, log: Logger, io: CliIo, options: DoctorOptions): Promise<boolean> {
  const now = options.now ?? (() => new Date());
  const identity = checkingIdentity(options.user);
  const running = serviceHolder(config);
  const checks: DoctorCheck[] = [
    pass('configuration', source ?? 'embedded defaults'),
    pass('checked as', `${describeIdentity(identity)}${identity.reason === 'service user' ? ', the service user' : ''}`),
    checkService(running),
    checkDataDir(config, identity),
    checkDatabase(config),
    checkDisk(config),
    await checkPort(config, running),
    checkClock(now()),
    checkTls(config, identity, now()),
    ...checkDiscovery(config),
    ...(await checkPrinters({ config, identity, log, ...options.parts, running, states: readPrinterStates(path.resolve(config.dataDir)), lastSeen: lastSeenOf(config) })),
    ...(await checkCloud(config, identity, now)),
  ];
  const healthy = checks.every((check) => check.ok);
  if (io.json) printJson(io, { ok: healthy, checks });
  else {
    for (const check of checks) {
      io.out(`${!check.ok ? 'FAIL' : check.warning ? 'warn' : 'ok  '}  ${check.check}: ${check.detail}`);
      if (check.fix && (!check.ok || check.warning)) io.out(`      fix: ${check.fix}`);
    }
    const warnings = checks.filter((check) => check.warning).length;
    const warned = warnings === 0 ? '' : ` ${warnings} warning${warnings > 1 ? 's' : ''}: see the fix${warnings > 1 ? 'es' : ''} above.`;
    io.out(healthy ? `All checks passed.${warned}` : 'Some checks failed: see the fixes above.');
  }
  return healthy;
}
