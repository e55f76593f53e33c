import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { setLogLevel } from '../log/create-logger.js';
import type { Dispatcher } from '../jobs/dispatcher.js';
import type { PrinterRegistry } from '../printers/printer-registry.js';

export interface ReloadDeps {
  registry: PrinterRegistry;
  engine: Pick<Dispatcher, 'addPrinter' | 'removePrinter'>;
  log: Logger;
  /** Throws (exit 78 at start) when the new configuration names a language, scheme or profile the parts lack. */
  check: (next: Readonly<Config>) => void;
}

export interface ReloadResult {
  added: string[];
  removed: string[];
  changed: string[];
}

/**
 * SIGHUP: applies the log level and the printers of a new configuration without dropping a job:
 * new printers start, removed ones stop, changed ones restart, each job on the wire given
 * server.shutdownGraceSeconds to finish.
 */
export function printerReloader({ registry, engine, log, check }: ReloadDeps): (next: Readonly<Config>) => Promise<ReloadResult> {
  return async (next) => {
    check(next);
    setLogLevel(log, next.log.level);
    const configured = (): Map<string, ReturnType<PrinterRegistry['list']>[number]> =>
      new Map(registry.list().filter((printer) => printer.source === 'config').map((printer) => [printer.id, printer]));
    const before = new Map([...configured()].map(([id, printer]) => [id, JSON.stringify(printer)]));
    registry.syncConfigured(next.printers);
    const after = configured();
    const added = [...after.keys()].filter((id) => !before.has(id));
    const removed = [...before.keys()].filter((id) => !after.has(id));
    const changed = [...after.keys()].filter((id) => before.has(id) && before.get(id) !== JSON.stringify(after.get(id)));
    const graceMs = next.server.shutdownGraceSeconds * 1000;
    await Promise.all([...removed, ...changed].map((id) => engine.removePrinter(id, graceMs)));
    for (const id of [...added, ...changed]) engine.addPrinter(after.get(id)!);
    log.info({ added, removed, changed, level: next.log.level }, 'configuration reloaded');
    return { added, removed, changed };
  };
}
