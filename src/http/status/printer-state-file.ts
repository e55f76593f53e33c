import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PrinterRegistry, PrinterStatus } from '../../printers/printer-registry.js';

export const PRINTER_STATE_FILE = 'printer-state.json';

/** What the running gateway last knew of each printer, for a process beside it (`printers list`). */
export interface PrinterStates {
  /** The gateway that wrote it: compare with the data directory's lock holder to know if it still runs. */
  pid: number;
  writtenAt: string;
  printers: Record<string, PrinterStatus & { since: string }>;
}

export interface PrinterStateFileDeps {
  dataDir: string;
  registry: Pick<PrinterRegistry, 'list' | 'status' | 'onStatusChange'>;
  now: () => Date;
  pid?: number;
  /** Writes are at most this often; a change in between is written when it ends (SD cards). */
  minIntervalMs?: number;
}

/**
 * The printers' live state, written by the gateway to <dataDir>/printer-state.json whenever a
 * state or reason changes, at most every 2 s (the last change always lands), atomically (a temp
 * file renamed over the old one). A file rather than the database: a CLI process reads it without
 * a schema change, and it is bookkeeping that may be lost (a failed write is retried at the next
 * change, never an error of the printer). The CLI asks the lock for the holder's PID to tell a
 * live record from one a stopped gateway left.
 */
export class PrinterStateFile {
  private readonly file: string;
  private readonly since = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private lastWriteMs = Number.NEGATIVE_INFINITY;

  constructor(private readonly deps: PrinterStateFileDeps) {
    this.file = path.join(deps.dataDir, PRINTER_STATE_FILE);
  }

  /** Writes the current states now and follows every change from here on. */
  start(): () => void {
    const stop = this.deps.registry.onStatusChange((printer) => {
      this.since.set(printer.id, this.deps.now().toISOString());
      this.schedule();
    });
    this.write();
    return () => {
      stop();
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
    };
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastWriteMs + (this.deps.minIntervalMs ?? 2000) - this.deps.now().getTime());
    this.timer = setTimeout(() => {
      this.timer = null;
      this.write();
    }, wait);
    this.timer.unref();
  }

  private write(): void {
    const at = this.deps.now();
    this.lastWriteMs = at.getTime();
    const printers: PrinterStates['printers'] = {};
    for (const printer of this.deps.registry.list()) {
      printers[printer.id] = { ...this.deps.registry.status(printer.id), since: this.since.get(printer.id) ?? at.toISOString() };
    }
    const record: PrinterStates = { pid: this.deps.pid ?? process.pid, writtenAt: at.toISOString(), printers };
    const partial = `${this.file}.partial`;
    try {
      writeFileSync(partial, `${JSON.stringify(record)}\n`, { mode: 0o640 });
      renameSync(partial, this.file);
    } catch {
      // Bookkeeping: a full or read-only disk must not touch a printer; the next change tries again.
    }
  }
}

/** The record a gateway left in dataDir, or null when there is none (or it cannot be read). */
export function readPrinterStates(dataDir: string): PrinterStates | null {
  try {
    const record = JSON.parse(readFileSync(path.join(dataDir, PRINTER_STATE_FILE), 'utf8')) as PrinterStates;
    return typeof record.pid === 'number' && typeof record.printers === 'object' && record.printers !== null ? record : null;
  } catch {
    return null;
  }
}
