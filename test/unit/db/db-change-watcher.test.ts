import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../../src/db/open-database.js';
import { DbChangeWatcher } from '../../../src/db/db-change-watcher.js';
import { KeyStore } from '../../../src/keys/key-store.js';

describe('DbChangeWatcher', () => {
  let dir: string;
  let serveDb: Db;
  let cliDb: Db;
  let changes: number;
  let watcher: DbChangeWatcher;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'printgate-key-watch-'));
    serveDb = openDatabase({ dataDir: dir });
    cliDb = openDatabase({ dataDir: dir });
    changes = 0;
    watcher = new DbChangeWatcher({ db: serveDb, log: pino({ level: 'silent' }), onChange: () => (changes += 1) });
    watcher.start();
  });
  afterEach(() => {
    watcher.stop();
    serveDb.close();
    cliDb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports a commit by another connection (the CLI) once, and nothing while idle', () => {
    watcher.tick();
    expect(changes).toBe(0);
    const cli = new KeyStore({ db: cliDb, now: () => new Date() });
    const { record } = cli.create({ name: 'till', permissions: ['ViewJobs'] });
    watcher.tick();
    expect(changes).toBe(1);
    watcher.tick();
    expect(changes).toBe(1);
    cli.revoke(record.id);
    watcher.tick();
    expect(changes).toBe(2);
  });

  it('does not report its own connection’s writes (those notify directly)', () => {
    new KeyStore({ db: serveDb, now: () => new Date() }).create({ name: 'own', permissions: ['ViewJobs'] });
    watcher.tick();
    expect(changes).toBe(0);
  });

  it('keeps ticking when the listener throws', () => {
    let calls = 0;
    const failing = new DbChangeWatcher({
      db: serveDb,
      log: pino({ level: 'silent' }),
      onChange: () => {
        calls += 1;
        throw new Error('listener bug');
      },
    });
    failing.start();
    new KeyStore({ db: cliDb, now: () => new Date() }).create({ name: 'a', permissions: ['ViewJobs'] });
    expect(() => failing.tick()).not.toThrow();
    new KeyStore({ db: cliDb, now: () => new Date() }).create({ name: 'b', permissions: ['ViewJobs'] });
    failing.tick();
    failing.stop();
    expect(calls).toBe(2);
  });
});
