import { rmSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { AppError } from '../errors/app-error.js';
import type { Db } from './open-database.js';

export const RESERVE_FILE = 'reserve.bin';
const DEFAULT_RESERVE_BYTES = 8 * 1024 * 1024;
const CHECK_MS = 2000;
/** Free pages given back to the disk per step while it is full (a database made in auto_vacuum=INCREMENTAL). */
const VACUUM_STEP_PAGES = 64;

export interface StorageGuardDeps {
  dataDir: string;
  db: Db;
  log: Logger;
  /** Frees what can go when the disk is full (documents of finished jobs); returns what it freed. */
  release: () => number;
  reserveBytes?: number;
  checkMs?: number;
}

/**
 * A full disk is a state, not a crash. The data directory keeps a reserve file; when a write
 * fails for lack of space the reserve is deleted (so state transitions, revocations and the jobs
 * already accepted can still commit and print), documents of finished jobs are dropped, and new
 * documents are refused with 507 until there is room again — checked every few seconds, the
 * reserve made again, the refusals ended, all by itself.
 */
export class StorageGuard {
  private isFull = false;
  private since: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly reservePath: string;

  constructor(private readonly deps: StorageGuardDeps) {
    this.reservePath = path.join(deps.dataDir, RESERVE_FILE);
  }

  get full(): boolean {
    return this.isFull;
  }

  /** What /healthz says while the disk is full, or null. */
  problem(): string | null {
    return this.isFull ? `disk full: the data directory ${path.resolve(this.deps.dataDir)} has no room (since ${this.since}); new documents are refused (507) until space returns` : null;
  }

  /**
   * Before the gateway writes anything at start: on a disk already full (a crash on a full disk)
   * the reserve is given up at once, so the start-up and the recovery of jobs can commit.
   */
  prepare(): void {
    try {
      if (this.room() < this.reserveBytes()) this.noteFull();
    } catch {
      // statfs failed: the data directory's own errors are reported where it is opened.
    }
  }

  start(): void {
    if (!this.isFull) this.makeReserve();
    this.timer ??= setInterval(() => this.check(), this.deps.checkMs ?? CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Refuses a new document while the disk is full (before its body is read). */
  refuseIfFull(): void {
    if (this.isFull) throw new AppError('INSUFFICIENT_STORAGE', undefined, { headers: { 'Retry-After': '30' } });
  }

  /** A write failed for lack of space. */
  noteFull(): void {
    if (this.isFull) {
      this.compact();
      return;
    }
    this.isFull = true;
    this.since = new Date().toISOString();
    rmSync(this.reservePath, { force: true });
    let released = 0;
    try {
      released = this.deps.release();
    } catch {
      // Nothing more to free now; the check tries again.
    }
    this.compact();
    this.deps.log.error({ dataDir: this.deps.dataDir, releasedDocuments: released }, 'disk full: new documents are refused until space returns; accepted jobs still print');
  }

  /**
   * Moves the WAL into the database and truncates it (on a nearly full disk the WAL itself is
   * what grows, and its pages can reuse the room freed inside the database file), then gives
   * free pages at the database's end back to the disk, a few hundred at a time (each step's pages
   * pass through the WAL, which must fit in what is left).
   */
  private compact(): void {
    try {
      this.deps.db.pragma('wal_checkpoint(TRUNCATE)');
      for (let step = 0; step < 16 && Number(this.deps.db.pragma('freelist_count', { simple: true })) > 0; step += 1) {
        this.deps.db.pragma(`incremental_vacuum(${VACUUM_STEP_PAGES})`);
        this.deps.db.pragma('wal_checkpoint(TRUNCATE)');
      }
    } catch {
      // A reader holds the WAL, or there is no room even for that: the next check tries again.
    }
  }

  /** Bytes free on the disk (the WAL grows into them before a checkpoint moves it into the database). */
  private room(): number {
    const fs = statfsSync(this.deps.dataDir);
    return fs.bavail * fs.bsize;
  }

  /**
   * Room for documents: the disk's free bytes plus the pages free inside the database. Documents of
   * printed jobs are dropped from the database, which keeps its size: new (inline) documents reuse
   * those pages, so they count, although the disk does not see them.
   */
  private roomForDocuments(): number {
    const pageSize = Number(this.deps.db.pragma('page_size', { simple: true }));
    const freePages = Number(this.deps.db.pragma('freelist_count', { simple: true }));
    return this.room() + pageSize * freePages;
  }

  private reserveBytes(): number {
    const fs = statfsSync(this.deps.dataDir);
    // A small disk (an SD card partition, a tmpfs) keeps a smaller reserve: a twentieth of it at most.
    return Math.min(this.deps.reserveBytes ?? DEFAULT_RESERVE_BYTES, Math.floor((fs.blocks * fs.bsize) / 20));
  }

  private makeReserve(): boolean {
    try {
      writeFileSync(this.reservePath, Buffer.alloc(this.reserveBytes()), { mode: 0o600 });
      return true;
    } catch {
      rmSync(this.reservePath, { force: true });
      return false;
    }
  }

  private check(): void {
    if (!this.isFull) return;
    try {
      this.deps.release();
      this.compact();
      if (this.roomForDocuments() < 2 * this.reserveBytes()) return;
    } catch {
      return;
    }
    // The reserve itself needs the disk's own bytes: without them the disk stays full.
    if (!this.makeReserve()) return;
    this.isFull = false;
    this.deps.log.info({ dataDir: this.deps.dataDir, since: this.since }, 'disk has room again: documents are accepted');
    this.since = null;
  }
}
