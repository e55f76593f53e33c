import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/open-database.js';
import { JobStore, type NewJob } from '../../../src/jobs/job-store.js';

function store(): JobStore {
  const db = openDatabase({ dataDir: mkdtempSync(path.join(tmpdir(), 'pg-job-store-')) });
  // A job needs no printer row for what is checked here.
  db.pragma('foreign_keys = OFF');
  return new JobStore({ db, now: () => new Date('2026-12-06T12:00:00.000Z') });
}

const newJob = (id: string, extra: Partial<NewJob> = {}): NewJob => ({
  id,
  printerId: 'kitchen',
  name: `job ${id}`,
  contentType: 'text/plain',
  bytes: 5,
  copies: 1,
  options: { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' },
  maxAttempts: 3,
  spoolFile: '',
  keyId: 'key_1',
  idempotencyKey: null,
  requestHash: null,
  source: 'star',
  charset: null,
  document: Buffer.from('hello'),
  ...extra,
});

describe('JobStore', () => {
  it('returns from insert the job exactly as a read gives it — the same fields in the same order, no document — without reading it back', () => {
    const jobs = store();
    const inserted = jobs.insert(newJob('a', { createdAt: '2026-12-06T11:59:00.000Z' }));
    const read = jobs.get('a')!;
    expect(inserted).toEqual(read);
    // One field order for every job is one hidden class in V8: copies of a job stay cheap.
    expect(Object.keys(inserted)).toEqual(Object.keys(read));
    expect(inserted).not.toHaveProperty('document');
    expect(jobs.inlineDocument('a')?.toString()).toBe('hello');
  });

  it('returns from a transition the job as a read gives it, in the same field order', () => {
    const jobs = store();
    const inserted = jobs.insert(newJob('b'));
    const processing = jobs.transition(inserted, 'processing', { attemptsDelta: 1, renderFinished: true })!;
    expect(processing).toEqual(jobs.get('b'));
    expect(Object.keys(processing)).toEqual(Object.keys(jobs.get('b')!));
    const done = jobs.transition(processing, 'completed', { error: null, printerCode: null })!;
    expect(done).toEqual(jobs.get('b'));
    expect(done.completedAt).toBe('2026-12-06T12:00:00.000Z');
  });
});
