import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/open-database.js';
import { JobStore } from '../../../src/jobs/job-store.js';

describe("the printer's result code kept with the job (migration 8)", () => {
  it('is stored by a transition, left alone by one that does not name it, and cleared on request', () => {
    const db = openDatabase({ dataDir: mkdtempSync(path.join(tmpdir(), 'pg-printer-code-')) });
    try {
      const jobs = new JobStore({ db, now: () => new Date('2026-01-01T00:00:00Z') });
      const inserted = jobs.insert({
        id: 'j1', printerId: 'p', name: 'Jammed', contentType: 'text/plain', bytes: 3, copies: 1,
        options: { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' }, maxAttempts: 3, spoolFile: 'f',
        keyId: null, idempotencyKey: null, requestHash: null, createdAt: '2026-01-01T00:00:00Z', source: 'api', charset: null,
      });
      expect(inserted.printerCode).toBeNull();
      jobs.transition('j1', 'processing', { attemptsDelta: 1 });
      expect(jobs.transition('j1', 'pending', { stateReason: 'printer-timeout', printerCode: '520 Download timeout' })?.printerCode).toBe('520 Download timeout');
      expect(jobs.transition('j1', 'held', { stateReason: 'printer-error' })?.printerCode).toBe('520 Download timeout');
      expect(jobs.transition('j1', 'pending', { printerCode: null })?.printerCode).toBeNull();
      jobs.transition('j1', 'processing', { attemptsDelta: 1 });
      jobs.transition('j1', 'aborted', { stateReason: 'printer-rejected-job', printerCode: '411 Paper jam' });
      expect(jobs.list({ limit: 10 })[0]).toMatchObject({ state: 'aborted', stateReason: 'printer-rejected-job', printerCode: '411 Paper jam' });
    } finally {
      db.close();
    }
  });
});
