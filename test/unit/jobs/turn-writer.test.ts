import { describe, expect, it } from 'vitest';
import type { Job } from '../../../src/jobs/job-store.js';
import { TurnWriter } from '../../../src/jobs/turn-writer.js';
import { fixturePerTest, type EngineFixture } from './engine-fixture.js';

const newEngine = fixturePerTest();

/** Counts the commits (outermost transactions) the store's turn writer makes. */
function countCommits(engine: EngineFixture): () => number {
  let commits = 0;
  const inOneTransaction = engine.store.inOneTransaction.bind(engine.store);
  engine.store.inOneTransaction = (work) => {
    if (!engine.db.inTransaction) commits += 1;
    inOneTransaction(work);
  };
  return () => commits;
}

/** A job on the wire (processing) and `queued` pending ones, then a database with no room left. */
function fullDiskWithPrinted(engine: EngineFixture, queued: string[] = []): { printed: Job; queued: Job[] } {
  const printed = engine.submit('printed\n');
  engine.store.transition(printed, 'processing', { attemptsDelta: 1 }, ['pending']);
  const waiting = queued.map((body) => engine.submit(body));
  engine.fillDisk();
  return { printed, queued: waiting };
}

/** Completing it needs room the full database does not have (a longer row than before). */
const completeLonger = (engine: EngineFixture, job: Job) => (): Job | null => engine.store.transition(job, 'completed', { stateReason: 'y'.repeat(2000) }, ['processing']);

describe('JobStore.inTurn: the writes of one event-loop turn in one commit', () => {
  it('commits the marks of several printers and a new job handed in one turn together, each caller getting its own result', async () => {
    const engine = newEngine({ morePrinters: [{ name: 'Bar', group: 'shop', uri: 'memory://bar' }] });
    const second = engine.registry.get('bar')!;
    const a = engine.submit('a\n');
    const b = engine.submit('b\n', { printerId: second.id });
    const commits = countCommits(engine);
    const { store } = engine;
    const [movedA, movedB, sent] = await Promise.all([
      store.inTurn(() => store.transitionAll([a], 'processing', { attemptsDelta: 1 }, ['pending'])),
      store.inTurn(() => store.transitionAll([b], 'processing', { attemptsDelta: 1 }, ['pending'])),
      store.inTurn(() => store.markSentAll([a])),
    ]);
    expect(commits()).toBe(1);
    expect(movedA[0]).toMatchObject({ id: a.id, state: 'processing', attempts: 1 });
    expect(movedB[0]).toMatchObject({ id: b.id, state: 'processing', attempts: 1 });
    expect(sent[0]!.sentAt).toEqual(expect.any(String));
    expect(engine.job(a.id)).toMatchObject({ state: 'processing', sentAt: sent[0]!.sentAt });
    expect(engine.job(b.id).state).toBe('processing');
    // A write of the next turn is a commit of its own.
    await store.inTurn(() => store.transition(a, 'completed', {}, ['processing']));
    expect(commits()).toBe(2);
  });

  it('a soon write (a worker’s mark) waits past its turn for a write that cannot wait, and shares its commit; alone, it commits by itself', async () => {
    // The writer alone, with a long wait, so that "a turn later" is always within it.
    let commits = 0;
    const writer = new TurnWriter({
      transaction: (work) => {
        commits += 1;
        work();
      },
      soonMs: 1000,
    });
    const mark = writer.write(() => 'marked', { soon: true });
    const later = new Promise<string>((resolve, reject) => {
      setImmediate(() => void writer.write(() => 'next job').then(resolve, reject));
    });
    expect(await Promise.all([mark, later])).toEqual(['marked', 'next job']);
    expect(commits).toBe(1);
    // The store's own writer, alone: it does not wait for ever.
    const engine = newEngine();
    const storeCommits = countCommits(engine);
    const job = engine.submit('alone\n');
    const alone = await engine.store.inTurn(() => engine.store.transition(job, 'processing', { attemptsDelta: 1 }, ['pending']), { soon: true });
    expect(alone?.state).toBe('processing');
    expect(storeCommits()).toBe(1);
  });

  it('fails only the write refused by its own row; the others of the turn are committed', async () => {
    const engine = newEngine();
    const { store } = engine;
    const job = engine.submit('a\n');
    const outcomes = await Promise.allSettled([
      store.inTurn(() => store.transition(job, 'processing', {}, ['pending'])),
      store.inTurn(() => engine.db.prepare('INSERT INTO jobs (id) VALUES (NULL)').run()),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: expect.stringMatching(/^SQLITE_CONSTRAINT/) });
    expect(engine.job(job.id).state).toBe('processing');
  });

  it('a failure that is not a row’s own rolls the whole turn back and fails every write of it', async () => {
    const engine = newEngine();
    const { store } = engine;
    const job = engine.submit('a\n');
    const outcomes = await Promise.allSettled([
      store.inTurn(() => store.transition(job, 'processing', {}, ['pending'])),
      store.inTurn(() => {
        throw new Error('a bug');
      }),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect((outcomes[0] as PromiseRejectedResult).reason).toMatchObject({ message: 'a bug' });
    expect(engine.job(job.id).state).toBe('pending');
  });

  it('a full disk: a write given onFull is written once more after it (the reserve freed); the others fail, nothing of theirs committed', async () => {
    const engine = newEngine();
    const { store } = engine;
    const {
      printed,
      queued: [queued],
    } = fullDiskWithPrinted(engine, ['queued\n']);
    let freed = 0;
    const onFull = (): void => {
      freed += 1;
      engine.freeDisk();
    };
    const outcomes = await Promise.allSettled<Job | null>([
      // A longer row than before: it needs room the full database does not have.
      store.inTurn(() => store.transition(queued!, 'held', { stateReason: 'x'.repeat(2000) }, ['pending'])),
      store.inTurn(completeLonger(engine, printed), { onFull }),
    ]);
    expect(freed).toBe(1);
    expect(outcomes[0]).toMatchObject({ status: 'rejected', reason: { code: 'SQLITE_FULL' } });
    expect(outcomes[1]).toMatchObject({ status: 'fulfilled', value: { id: printed.id, state: 'completed' } });
    expect(engine.job(queued!.id).state).toBe('pending');
    expect(engine.job(printed.id).state).toBe('completed');
  });

  it('a full disk whose onFull fails too: the write fails with the disk’s error, never left waiting', async () => {
    const engine = newEngine();
    const { printed } = fullDiskWithPrinted(engine);
    const outcome = engine.store.inTurn(completeLonger(engine, printed), {
      onFull: () => {
        throw new Error('the reserve is gone');
      },
    });
    await expect(outcome).rejects.toMatchObject({ code: 'SQLITE_FULL' });
    expect(engine.job(printed.id).state).toBe('processing');
  });
});
