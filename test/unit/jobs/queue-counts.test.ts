import { describe, expect, it } from 'vitest';
import { CommitFence } from '../../../src/jobs/commit-fence.js';
import { QueueCounts } from '../../../src/jobs/queue-counts.js';

/**
 * The delivery thread moves jobs in its own database connection and tells the main thread's counts
 * by message, after its commit. A count the main thread reads from the database between the commit
 * and the message already holds the move: the fence says so, and the message is then not applied
 * a second time. (One thread here plays both; the fence's cells are what the two threads share.)
 */
describe('queue counts beside a delivery thread', () => {
  it('applies a move that a count from the database did not see, and not one it saw', () => {
    let inDatabase = 5;
    const writer = new CommitFence();
    const reader = new CommitFence(writer.buffer);
    const counts = new QueueCounts(() => inDatabase, reader);

    // Write 1 commits (a job completed: 5 → 4) and its message is still on the way when the main thread counts.
    let write1 = 0;
    writer.around(() => {
      inDatabase -= 1;
      write1 = writer.current();
    });
    expect(counts.get('till')).toBe(4);
    counts.remote('till', -1, write1);
    expect(counts.get('till')).toBe(4);

    // Write 2 commits after the count was read: its message is applied.
    let write2 = 0;
    writer.around(() => {
      inDatabase -= 1;
      write2 = writer.current();
    });
    counts.remote('till', -1, write2);
    expect(counts.get('till')).toBe(3);
    expect(counts.get('till')).toBe(inDatabase);
  });

  it('reads again while a write of the other thread has started and not committed', () => {
    let inDatabase = 2;
    const writer = new CommitFence();
    const reader = new CommitFence(writer.buffer);
    let reads = 0;
    let count: { value: number; seen: number } | null = null;
    writer.around(() => {
      inDatabase += 1;
      // The reader runs in the middle of the write (in real life: on another core).
      count = reader.read(() => {
        reads += 1;
        return inDatabase;
      });
    });
    // Unsure each time (write 1 started, not committed): it gave up after its tries and claims only what was committed.
    expect(reads).toBeGreaterThan(1);
    expect(count!.seen).toBe(0);
    const sure = reader.read(() => inDatabase);
    expect(sure).toEqual({ value: 3, seen: 1 });
  });

  it('numbers nested writes as one (a batch of moves commits once)', () => {
    const fence = new CommitFence();
    const seen: number[] = [];
    fence.around(() => {
      fence.around(() => seen.push(fence.current()));
      fence.around(() => seen.push(fence.current()));
    });
    expect(seen).toEqual([1, 1]);
    expect(new CommitFence(fence.buffer).read(() => 0).seen).toBe(1);
  });

  it('a count not yet read ignores messages, and counts kept without a fence work as before', () => {
    const counts = new QueueCounts(() => 7);
    counts.remote('till', -1, 3);
    expect(counts.get('till')).toBe(7);
    counts.moved('till', 'pending', 'completed');
    expect(counts.get('till')).toBe(6);
  });
});
