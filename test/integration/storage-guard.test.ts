import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/open-database.js';
import { StorageGuard } from '../../src/db/storage-guard.js';
import { JobStore } from '../../src/jobs/job-store.js';
import { createLogger } from '../../src/log/create-logger.js';
import { LogCapture } from '../helpers/log-capture.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * A full disk for real: the data directory on a 4 MB tmpfs, filled with inline documents until
 * SQLite says SQLITE_FULL. The jobs already accepted must still move through their states (the
 * documents live beside the rows, so a state change writes a few hundred bytes, not the document
 * again), and once they are done the disk gets its room back by itself (their pages are given back
 * by incremental vacuum) and new documents are accepted again.
 */

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function tmpfs(sizeMb: number): string {
  if (process.getuid?.() !== 0) throw new Error('this test mounts a tmpfs: run it as root (CI does)');
  const dir = mkdtempSync(path.join(tmpdir(), 'printgate-full-disk-'));
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', dir], { encoding: 'utf8' });
  if (mounted.status !== 0) throw new Error(`mount -t tmpfs failed: ${mounted.stderr}`);
  cleanups.push(() => {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

const free = (dir: string): number => {
  const fs = statfsSync(dir);
  return fs.bavail * fs.bsize;
};

function insertJob(jobs: JobStore, id: string, document: Buffer): void {
  jobs.insert({
    id, printerId: 'p', name: id, contentType: 'application/octet-stream', bytes: document.byteLength, copies: 1,
    options: { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' }, maxAttempts: 3, spoolFile: '', document,
    keyId: null, idempotencyKey: null, requestHash: null, source: 'api', charset: null,
  });
}

describe('a full data disk', () => {
  it('refuses new documents, still commits the state changes of accepted jobs, and gets its room back once they are done', async () => {
    const dataDir = tmpfs(4);
    const db: Db = openDatabase({ dataDir, synchronous: 'normal' });
    cleanups.push(() => db.close());
    const jobs = new JobStore({ db, now: () => new Date() });
    const logs = new LogCapture();
    const guard = new StorageGuard({
      dataDir, db, log: createLogger({ level: 'debug', destination: logs }), checkMs: 50,
      release: () => jobs.dropFinishedDocuments().dropped,
    });
    cleanups.push(() => guard.stop());
    guard.prepare();
    guard.start();
    const size = statfsSync(dataDir).blocks * statfsSync(dataDir).bsize;

    // Fill it: 48 KB documents until SQLite refuses one.
    const accepted: string[] = [];
    let refusal: unknown = null;
    for (let n = 0; n < 200 && refusal === null; n += 1) {
      try {
        insertJob(jobs, `job-${n}`, Buffer.alloc(48 * 1024, n));
        accepted.push(`job-${n}`);
      } catch (error) {
        refusal = error;
      }
    }
    expect((refusal as { code?: string } | null)?.code).toBe('SQLITE_FULL');
    expect(accepted.length).toBeGreaterThan(30);
    guard.noteFull();
    expect(guard.full).toBe(true);
    expect(() => guard.refuseIfFull()).toThrow(expect.objectContaining({ code: 'INSUFFICIENT_STORAGE' }));
    expect(logs.find('disk full: new documents are refused until space returns; accepted jobs still print')).toHaveLength(1);
    // The refused document left nothing behind: no row without its document, no document without its row.
    expect(db.prepare('SELECT COUNT(*) FROM jobs').pluck().get()).toBe(accepted.length);
    expect(db.prepare('SELECT COUNT(*) FROM job_documents').pluck().get()).toBe(accepted.length);

    // Every accepted job prints: three state changes each, on the disk that is still full.
    for (const id of accepted) {
      jobs.transition(id, 'processing');
      jobs.markSent(jobs.get(id)!);
      jobs.transition(id, 'completed');
    }
    expect(db.prepare("SELECT COUNT(*) FROM jobs WHERE state = 'completed'").pluck().get()).toBe(accepted.length);

    // By itself: the printed jobs' documents dropped, their pages given back, the reserve made again.
    await waitFor('the disk to have room again', () => !guard.full, 10_000);
    expect(logs.find('disk has room again: documents are accepted')).toHaveLength(1);
    expect(free(dataDir)).toBeGreaterThan(size / 2);
    insertJob(jobs, 'after', Buffer.alloc(48 * 1024, 1));
    expect(jobs.inlineDocument('after')?.byteLength).toBe(48 * 1024);
  });
});
