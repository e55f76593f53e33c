import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
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
 */
export class WalCheckpointer {
  private worker: Worker | null = null;
  private autocheckpoint = 0;
  private stopped = false;

  constructor(private readonly deps: WalCheckpointerDeps) {}

  start(): void {
    this.autocheckpoint = Number(this.deps.db.pragma('wal_autocheckpoint', { simple: true }));
    const worker = new Worker(THREAD, {
      eval: true,
      workerData: {
        sqlite: createRequire(import.meta.url).resolve('better-sqlite3'),
        dbFile: this.deps.dbFile,
        walFile: this.deps.walFile,
        limitBytes: this.deps.limitBytes,
        intervalMs: this.deps.intervalMs ?? 200,
      },
    });
    this.worker = worker;
    worker.on('message', (message: { ready?: boolean; error?: string }) => {
      if (message.ready && this.worker === worker) this.deps.db.pragma(`wal_autocheckpoint = ${2 * this.autocheckpoint}`);
      if (message.error) this.deps.log.warn({ err: message.error }, 'WAL checkpoint failed; tried again');
    });
    const fallBack = (why: string): void => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.deps.db.pragma(`wal_autocheckpoint = ${this.autocheckpoint}`);
      if (!this.stopped) this.deps.log.error({ err: why }, 'the WAL checkpoint thread ended; the database checkpoints on commit again');
    };
    worker.on('error', (error) => fallBack(error.message));
    worker.on('exit', (code) => fallBack(`exit code ${code}`));
    worker.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const worker = this.worker;
    if (!worker) return;
    this.worker = null;
    this.deps.db.pragma(`wal_autocheckpoint = ${this.autocheckpoint}`);
    await worker.terminate();
  }
}

/** The thread: its own connection, a PASSIVE checkpoint whenever the WAL is past the limit. */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { statSync } = require('node:fs');
const Database = require(workerData.sqlite);
const db = new Database(workerData.dbFile);
db.pragma('busy_timeout = 1000');
parentPort.postMessage({ ready: true });
let failing = false;
setInterval(() => {
  let size = 0;
  try { size = statSync(workerData.walFile).size; } catch { return; }
  if (size <= workerData.limitBytes) return;
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failing = false;
  } catch (error) {
    if (!failing) parentPort.postMessage({ error: String(error && error.message || error) });
    failing = true;
  }
}, workerData.intervalMs);
`;
