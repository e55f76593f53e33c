import { closeSync, openSync, readSync } from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { THREAD_RESOURCE_LIMITS } from '../memory-limits.js';
import type { Db } from './open-database.js';

export interface WalCheckpointerDeps {
  /** The gateway's connection: its automatic checkpoint becomes a backstop (twice the limit) while the thread runs. */
  db: Db;
  /** The database file the thread opens its own connection to. */
  dbFile: string;
  walFile: string;
  /** A checkpoint is run once the WAL is larger than this (the connection's old autocheckpoint size). */
  limitBytes: number;
  log: Logger;
  /** How often the thread looks at the WAL's size. */
  intervalMs?: number;
  /** How often the main thread looks how full the WAL is, while there is no thread (250 ms). */
  watchMs?: number;
  /** The thread ends after the WAL was not written for this long (30 s); the next write starts it again. */
  idleMs?: number;
}

/**
 * Checkpoints on a thread of their own. SQLite's automatic checkpoint runs inside whichever
 * commit crosses the limit — on the event loop, with an fsync of the WAL and one of the database:
 * every few dozen jobs one request waited for two disk flushes. Here a connection in a worker
 * thread copies the WAL back (PASSIVE: writers never wait for it), so most commits only append.
 *
 * A checkpoint from another connection cannot end a WAL that is written without a pause (the
 * frames appended while it copies keep it from completing, and only a complete one lets the next
 * commit start the WAL over), so the connection keeps its own checkpoint as a backstop at twice
 * the limit: under a sustained burst the WAL stays bounded (on a small disk it must never grow
 * into the last free space, where not even a checkpoint could run), and the copy the backstop
 * does is short because the thread already did most of it. If the thread is gone, the connection
 * checkpoints at the limit again.
 *
 * The thread runs only while the database is written: an idle gateway does not keep a thread
 * (about 10 MB) for nothing. The main thread reads how many frames the WAL holds (the wal-index
 * header in the -shm file, https://www.sqlite.org/walformat.html) every `watchMs`; a WAL being
 * written and half the limit full starts the thread, which ends itself after `idleMs` without a
 * write (the connection checkpoints at the limit meanwhile, as it would without a thread).
 */
export class WalCheckpointer {
  private worker: Worker | null = null;
  private autocheckpoint = 0;
  private stopped = false;
  /** The thread ended by itself (not idle): checkpoints stay with the connection from then on. */
  private failed = false;
  private watch: NodeJS.Timeout | null = null;
  private pageSize = 4096;
  /** The WAL's frames at the last look. */
  private frames = 0;

  constructor(private readonly deps: WalCheckpointerDeps) {}

  start(): void {
    this.autocheckpoint = Number(this.deps.db.pragma('wal_autocheckpoint', { simple: true }));
    this.pageSize = Number(this.deps.db.pragma('page_size', { simple: true }));
    this.watch = setInterval(() => this.look(), this.deps.watchMs ?? 250);
    this.watch.unref();
  }

  /** Whether the thread is running now (for tests and the health report). */
  get running(): boolean {
    return this.worker !== null;
  }

  private look(): void {
    if (this.worker || this.failed || this.stopped) return;
    // Being written (the frames moved since the last look) and half full: the thread is worth its memory.
    const frames = walFrames(this.shmFile);
    const written = frames !== this.frames;
    this.frames = frames;
    if (written && frames * this.pageSize >= this.deps.limitBytes / 2) this.spawn();
  }

  private get shmFile(): string {
    return `${this.deps.walFile.replace(/-wal$/, '')}-shm`;
  }

  private spawn(): void {
    const worker = new Worker(THREAD, {
      eval: true,
      resourceLimits: THREAD_RESOURCE_LIMITS,
      workerData: {
        sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
        dbFile: this.deps.dbFile,
        walFile: this.deps.walFile,
        limitBytes: this.deps.limitBytes,
        intervalMs: this.deps.intervalMs ?? 200,
        idleMs: this.deps.idleMs ?? 30_000,
      },
    });
    this.worker = worker;
    this.deps.log.debug({}, 'the database is written: WAL checkpoints on their thread');
    worker.on('message', (message: { ready?: boolean; idle?: boolean; error?: string }) => {
      if (this.worker !== worker) return;
      if (message.ready) this.deps.db.pragma(`wal_autocheckpoint = ${2 * this.autocheckpoint}`);
      if (message.idle) this.retire(worker);
      if (message.error) this.deps.log.warn({ err: message.error }, 'WAL checkpoint failed; tried again');
    });
    const fallBack = (why: string): void => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.failed = true;
      this.deps.db.pragma(`wal_autocheckpoint = ${this.autocheckpoint}`);
      if (!this.stopped) this.deps.log.error({ err: why }, 'the WAL checkpoint thread ended; the database checkpoints on commit again');
    };
    worker.on('error', (error) => fallBack(error.message));
    worker.on('exit', (code) => fallBack(`exit code ${code}`));
    worker.unref();
  }

  /** Nothing written for idleMs: the connection checkpoints at the limit again until the next writes start the thread. */
  private retire(worker: Worker): void {
    this.worker = null;
    this.deps.db.pragma(`wal_autocheckpoint = ${this.autocheckpoint}`);
    this.deps.log.debug({}, 'the database is idle: the WAL checkpoint thread ends');
    void worker.terminate();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watch) clearInterval(this.watch);
    this.watch = null;
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    this.deps.db.pragma(`wal_autocheckpoint = ${this.autocheckpoint}`);
    await worker.terminate();
  }
}

const header = Buffer.alloc(20);

/**
 * The frames in the WAL since it last started over: mxFrame of the wal-index header (a u32 at
 * offset 16, in the machine's byte order); 0 when there is no -shm file yet.
 */
export function walFrames(shmFile: string): number {
  let fd: number | null = null;
  try {
    fd = openSync(shmFile, 'r');
    if (readSync(fd, header, 0, header.length, 0) < header.length) return 0;
    return os.endianness() === 'LE' ? header.readUInt32LE(16) : header.readUInt32BE(16);
  } catch {
    return 0;
  } finally {
    if (fd !== null) closeSync(fd);
  }
}

/**
 * The thread: its own connection, a PASSIVE checkpoint whenever the WAL is past the limit; it says
 * it is idle once the WAL has not changed for idleMs (and is within the limit).
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.sqlite);
const db = new Database(workerData.dbFile);
db.pragma('busy_timeout = 1000');
parentPort.postMessage({ ready: true });
let failing = false;
let last = '';
let changedAt = Date.now();
setInterval(() => {
  let stat;
  try { stat = statSync(workerData.walFile); } catch { return; }
  const stamp = stat.size + ':' + stat.mtimeMs;
  if (stamp !== last) {
    last = stamp;
    changedAt = Date.now();
  }
  if (stat.size <= workerData.limitBytes) {
    if (Date.now() - changedAt >= workerData.idleMs) parentPort.postMessage({ idle: true });
    return;
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failing = false;
  } catch (error) {
    if (!failing) parentPort.postMessage({ error: String(error && error.message || error) });
    failing = true;
  }
}, workerData.intervalMs);
`;
