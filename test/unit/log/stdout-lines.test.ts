import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/create-logger.js';
import { StdoutLines } from '../../../src/log/stdout-lines.js';

/** A real stream whose reader takes each chunk only when told (`takeAll`): a journal that fell behind. */
function slowReader(): { stream: Writable; taken: string[]; takeAll: () => void } {
  const taken: string[] = [];
  let pending: Array<() => void> = [];
  const stream = new Writable({
    highWaterMark: 64,
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      pending.push(() => {
        taken.push(chunk);
        callback();
      });
    },
  });
  const takeAll = (): void => {
    while (pending.length > 0) {
      const now = pending;
      pending = [];
      for (const take of now) take();
    }
  };
  return { stream, taken, takeAll };
}

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('StdoutLines', () => {
  it('queues lines for a slow reader up to its limit, drops the rest and counts them once the reader caught up', async () => {
    const { stream, taken, takeAll } = slowReader();
    const lines = new StdoutLines(stream, { maxQueuedBytes: 100 });
    const reported: number[] = [];
    lines.onDropped = (count) => reported.push(count);
    for (let i = 0; i < 20; i += 1) lines.write(`line ${String(i).padStart(3, '0')}\n`);
    // 9 bytes a line: 12 of them reach 100 queued bytes; the other 8 are dropped.
    expect(lines.queuedBytes).toBe(108);
    expect(reported).toEqual([]);
    takeAll();
    await tick();
    expect(taken.join('')).toBe(Array.from({ length: 12 }, (_, i) => `line ${String(i).padStart(3, '0')}\n`).join(''));
    expect(reported).toEqual([8]);
    expect(lines.queuedBytes).toBe(0);
    // Caught up: new lines go out again, and nothing more is reported.
    lines.write('after\n');
    takeAll();
    await tick();
    expect(taken.at(-1)).toBe('after\n');
    expect(reported).toEqual([8]);
  });

  it('drained() resolves when the reader has every line, or after its timeout when it never takes them', async () => {
    const { stream, takeAll } = slowReader();
    const lines = new StdoutLines(stream);
    await lines.drained(10_000);
    lines.write('x'.repeat(200) + '\n');
    let done = false;
    const drained = lines.drained(10_000).then(() => (done = true));
    await tick();
    expect(done).toBe(false);
    takeAll();
    await drained;
    // A line below the stream's highWaterMark never brings a 'drain': drained() still sees it go.
    lines.write('z\n');
    const small = lines.drained(10_000);
    takeAll();
    await small;
    expect(lines.queuedBytes).toBe(0);
    lines.write('y'.repeat(200) + '\n');
    const started = performance.now();
    await lines.drained(50);
    expect(performance.now() - started).toBeGreaterThanOrEqual(40);
  });

  it('a reader that failed (EPIPE) costs the lines that follow, never an exception', () => {
    const { stream } = slowReader();
    const lines = new StdoutLines(stream);
    stream.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(() => lines.write('lost\n')).not.toThrow();
    expect(lines.queuedBytes).toBe(0);
  });

  it('is what createLogger writes to when given it, and the logger warns with the count of dropped lines', async () => {
    const { stream, taken, takeAll } = slowReader();
    const lines = new StdoutLines(stream, { maxQueuedBytes: 1 });
    const log = createLogger({ level: 'info', destination: lines });
    log.info('first');
    log.info('dropped one');
    log.info('dropped two');
    takeAll();
    await tick();
    takeAll();
    const entries = taken.map((line) => JSON.parse(line) as { level: string; msg: string; droppedLines?: number });
    expect(entries.map((entry) => entry.msg)).toEqual(['first', 'log lines were dropped: stdout (the journal) did not keep up with them']);
    expect(entries[1]).toMatchObject({ level: 'warn', droppedLines: 2 });
  });
});
