import type { Logger } from 'pino';
import { acquireDataDirLock } from '../db/data-dir-lock.js';
import { openDatabase, walPath, type Db } from '../db/open-database.js';
import { StorageGuard } from '../db/storage-guard.js';
import { WalSync } from '../db/wal-sync.js';
import type { WriteLock } from '../db/write-lock.js';
import type { CommitFence } from '../jobs/commit-fence.js';
import { JobStore } from '../jobs/job-store.js';
import { Spool } from '../jobs/spool.js';
import type { Lifecycle } from './lifecycle.js';

export interface GatewayStorage {
  db: Db;
  /** fdatasync of the WAL: what group commit waits for before a 201. */
  wal: WalSync;
  spool: Spool;
  jobStore: JobStore;
  storage: StorageGuard;
}

/**
 * The data directory, before anything else touches it: its lock (one gateway per directory; a
 * second exits naming the first's PID), the database, the spool and the storage guard. A disk
 * already full at start gives up its reserve first, so recovery can commit; partial uploads a
 * crash left behind are removed. Each part stops again through the lifecycle.
 */
export function openStorage(
  dataDir: string,
  now: () => Date,
  log: Logger,
  lifecycle: Lifecycle,
  beside: { remoteFence?: CommitFence | undefined; writeLock?: WriteLock | undefined } = {},
): GatewayStorage {
  const lock = acquireDataDirLock(dataDir);
  lifecycle.onStop('data directory lock', () => lock.release());
  const db = openDatabase({ dataDir, synchronous: 'normal' });
  const wal = new WalSync(walPath(dataDir));
  lifecycle.onStop('database', async () => {
    await wal.sync().catch(() => undefined);
    await wal.close();
    db.close();
  });
  const spool = new Spool(dataDir);
  const jobStore = new JobStore({ db, now, ...(beside.remoteFence ? { remoteFence: beside.remoteFence } : {}), ...(beside.writeLock ? { writeLock: beside.writeLock } : {}) });
  const storage = new StorageGuard({
    dataDir,
    db,
    log,
    release: () => {
      const { dropped, files } = jobStore.dropFinishedDocuments();
      for (const file of files) void spool.remove(file).catch(() => undefined);
      return dropped;
    },
  });
  storage.prepare();
  const leftovers = spool.cleanPartials();
  if (leftovers > 0) log.warn({ files: leftovers }, 'removed partial spool files of requests a crash cut short');
  return { db, wal, spool, jobStore, storage };
}
