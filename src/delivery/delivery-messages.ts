import type { Config } from '../config/schema.js';
import type { ErrorCode } from '../errors/codes.js';
import type { Job } from '../jobs/job-store.js';
import type { Printer, PrinterStatus } from '../printers/printer-registry.js';

/** What the delivery thread starts from (structured-cloned into it). */
export interface DeliveryThreadData {
  config: Readonly<Config>;
  /** The printers it drives, with their live status as the main thread knows it. */
  printers: { printer: Printer; status: PrinterStatus }[];
  bootId: string | null;
  /** False when it starts again while requests come in (their spool files are not referenced yet). */
  cleanSpool: boolean;
  /** The CommitFence's cells: which of its writes a count read by the main thread holds. */
  fence: SharedArrayBuffer;
  /** The WriteLock's cell: both threads' writes take turns there before SQLite's lock. */
  writeLock: SharedArrayBuffer;
  /** Log lines carry their syslog priority (stdout is the journal), as the main thread's do. */
  journal: boolean;
}

/** Main thread → delivery thread (sent in batches, in order). */
export type ToDelivery =
  | { type: 'wake'; printerId: string }
  | { type: 'wakeAll' }
  | { type: 'abort'; printerId: string; jobId: string }
  | { type: 'add'; printer: Printer; status: PrinterStatus }
  | { type: 'remove'; printerId: string; graceMs: number; ask: number }
  | { type: 'status'; printerId: string; change: Partial<PrinterStatus> }
  | { type: 'logLevel'; level: string }
  | { type: 'stop'; graceMs: number };

/** Delivery thread → main thread (sent in batches, in order). */
export type FromDelivery =
  | { type: 'ready'; sameBoot: boolean }
  | { type: 'job'; job: Job }
  | { type: 'count'; printerId: string; delta: number; write: number }
  | { type: 'countsLost' }
  | { type: 'status'; printerId: string; change: Partial<PrinterStatus> }
  | { type: 'refusal'; printerId: string; refusal: { code: ErrorCode; message: string } | null }
  | { type: 'storageFull' }
  | { type: 'done'; ask: number }
  | { type: 'stopped' };
