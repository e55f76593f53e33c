import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InsertBatcher } from '../../../src/jobs/insert-batcher.js';
import type { JobStore, NewJob } from '../../../src/jobs/job-store.js';
import { fixturePerTest, type EngineFixture } from './engine-fixture.js';

const newEngine = fixturePerTest();

function newJob(engine: EngineFixture, extra: Partial<NewJob> = {}): NewJob {
  const document = Buffer.from('receipt\n');
  return {
    id: randomUUID(),
    printerId: engine.printer.id,
    name: 'receipt',
    contentType: 'text/plain',
    charset: null,
    bytes: document.length,
    copies: 1,
    options: { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' },
    maxAttempts: 3,
    spoolFile: '',
    document,
    keyId: 'key_1',
    idempotencyKey: null,
    requestHash: null,
    source: 'api',
    ...extra,
  };
}

/** The real store, counting the transactions the batcher opens. */
function counted(store: JobStore): { store: JobStore; transactions: () => number } {
  let transactions = 0;
  const inOneTransaction = store.inOneTransaction.bind(store);
  store.inOneTransaction = (work) => {
    transactions += 1;
    inOneTransaction(work);
  };
  return { store, transactions: () => transactions };
}

describe('InsertBatcher: the jobs of one event-loop turn in one transaction', () => {
  it('inserts the jobs handed in together in one transaction, each with its own seq, and counts them in the queue at once', async () => {
    const engine = newEngine();
    const { store, transactions } = counted(engine.store);
    const batcher = new InsertBatcher({ store });
    const before = store.countQueued(engine.printer.id);
    const promises = Array.from({ length: 10 }, () => batcher.insert(newJob(engine)));
    expect(batcher.waitingFor(engine.printer.id)).toBe(10);
    const jobs = await Promise.all(promises);
    expect(transactions()).toBe(1);
    expect(batcher.waitingFor(engine.printer.id)).toBe(0);
    expect(new Set(jobs.map((job) => job.seq)).size).toBe(10);
    for (const job of jobs) expect(store.get(job.id)).toMatchObject({ state: 'pending', seq: job.seq });
    expect(store.countQueued(engine.printer.id)).toBe(before + 10);
    // The next turn's jobs are a batch of their own.
    await batcher.insert(newJob(engine));
    expect(transactions()).toBe(2);
  });

  it('fails only the job whose row is refused (an Idempotency-Key used first by another request); the others are committed', async () => {
    const engine = newEngine();
    const batcher = new InsertBatcher({ store: engine.store });
    const first = newJob(engine, { idempotencyKey: 'order-7' });
    const twin = newJob(engine, { idempotencyKey: 'order-7' });
    const other = newJob(engine);
    const outcomes = await Promise.allSettled([batcher.insert(first), batcher.insert(twin), batcher.insert(other)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_CONSTRAINT_UNIQUE' });
    expect(engine.store.get(first.id)?.state).toBe('pending');
    expect(engine.store.get(twin.id)).toBeNull();
    expect(engine.store.get(other.id)?.state).toBe('pending');
    expect(engine.store.inlineDocument(twin.id)).toBeNull();
  });

  it('commits nothing of a batch when the database fails it, and recounts the queue', async () => {
    const engine = newEngine();
    const batcher = new InsertBatcher({ store: engine.store });
    const before = engine.store.countQueued(engine.printer.id);
    const good = newJob(engine);
    // A failure of the database itself (here a statement of a trigger that cannot run), not a row's own constraint:
    // the batch fails as it does on a full disk.
    engine.db.exec('CREATE TABLE gone (v)');
    engine.db.exec("CREATE TRIGGER refuse BEFORE INSERT ON jobs WHEN NEW.name = 'poison' BEGIN INSERT INTO gone VALUES (1); END");
    engine.db.exec('DROP TABLE gone');
    const poison = newJob(engine, { name: 'poison' });
    const outcomes = await Promise.allSettled([batcher.insert(good), batcher.insert(poison)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'SQLITE_ERROR' });
    expect(engine.store.get(good.id)).toBeNull();
    expect(engine.store.countQueued(engine.printer.id)).toBe(before);
  });
});
