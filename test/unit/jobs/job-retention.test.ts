import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';
import { openDatabase } from '../../../src/db/open-database.js';
import { JobRetention } from '../../../src/jobs/job-retention.js';
import { JobStore } from '../../../src/jobs/job-store.js';
import { Spool } from '../../../src/jobs/spool.js';

describe('job retention', () => {
  it('purges finished jobs past keepDays and beyond keepCount, with their documents, and never touches waiting jobs', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'pg-retention-'));
    const db = openDatabase({ dataDir });
    let clock = new Date('2026-01-01T00:00:00Z');
    const now = () => clock;
    const jobs = new JobStore({ db, now });
    const spool = new Spool(dataDir);
    const make = async (id: string, state: 'completed' | 'aborted' | 'pending' | 'held') => {
      const doc = await spool.write(Readable.from([Buffer.from(id)]), 1000);
      jobs.insert({
        id, printerId: 'p', name: id, contentType: 'text/plain', bytes: doc.bytes, copies: 1,
        options: { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' }, maxAttempts: 3, spoolFile: doc.file,
        keyId: null, idempotencyKey: null, requestHash: null, createdAt: clock.toISOString(), source: 'api', charset: null,
      });
      if (state === 'completed' || state === 'aborted') {
        jobs.transition(id, 'processing');
        jobs.transition(id, state);
      } else if (state === 'held') {
        jobs.transition(id, 'held');
      }
      return doc.file;
    };
    const oldDone = await make('old-done', 'completed');
    const oldPending = await make('old-pending', 'pending');
    const oldHeld = await make('old-held', 'held');
    clock = new Date('2026-01-20T00:00:00Z');
    const recent = [await make('r1', 'completed'), await make('r2', 'aborted'), await make('r3', 'completed')];
    const config = parseConfig({ dataDir, jobs: { keepDays: 7, keepCount: 2 } });
    const retention = new JobRetention({ jobs, spool, config, log: pino({ level: 'silent' }), now });
    expect(await retention.runOnce()).toBe(2);
    expect(jobs.get('old-done')).toBeNull();
    expect(jobs.get('r1')).toBeNull();
    expect(jobs.get('r2')?.state).toBe('aborted');
    expect(jobs.get('r3')?.state).toBe('completed');
    expect(jobs.get('old-pending')?.state).toBe('pending');
    expect(jobs.get('old-held')?.state).toBe('held');
    expect(existsSync(path.join(spool.dir, oldDone))).toBe(false);
    expect(existsSync(path.join(spool.dir, recent[0]!))).toBe(false);
    expect(existsSync(path.join(spool.dir, oldPending))).toBe(true);
    expect(existsSync(path.join(spool.dir, oldHeld))).toBe(true);
    db.close();
  });
});
