import { describe, expect, it } from 'vitest';
import { canTransition, JOB_STATES, sourcesOf, TERMINAL_STATES } from '../../../src/jobs/job-states.js';
import { parsePrintOptions } from '../../../src/jobs/print-options.js';

describe('job states', () => {
  it('never leaves a terminal state', () => {
    for (const from of TERMINAL_STATES) for (const to of JOB_STATES) expect(canTransition(from, to)).toBe(false);
  });
  it('follows the IPP lifecycle', () => {
    expect(canTransition('pending', 'processing')).toBe(true);
    expect(canTransition('processing', 'completed')).toBe(true);
    expect(canTransition('processing', 'pending')).toBe(true);
    expect(canTransition('held', 'pending')).toBe(true);
    expect(canTransition('pending', 'completed')).toBe(false);
    expect([...sourcesOf('canceled')].sort()).toEqual(['held', 'pending', 'processing']);
  });
});

describe('print options', () => {
  const source = (headers: Record<string, string>, query: Record<string, unknown> = {}) => ({
    header: (name: string) => headers[name],
    query: (name: string) => query[name],
  });
  const defaults = { copies: 2, preBuzzer: 0, postBuzzer: 1 };
  it('reads headers before query parameters and falls back to the group defaults', () => {
    expect(parsePrintOptions(source({ 'star-copies': '3' }, { copies: '5', drawer: 'END', name: 'Order 42' }), defaults)).toEqual({
      name: 'Order 42', copies: 3, preBuzzer: 0, postBuzzer: 1, drawer: 'end',
    });
    expect(parsePrintOptions(source({}), defaults)).toMatchObject({ copies: 2, postBuzzer: 1, drawer: 'none', name: null });
  });
  it('names the option that is out of range', () => {
    expect(() => parsePrintOptions(source({}, { copies: '11' }), defaults)).toThrow(/copies must be a whole number from 1 to 10/);
    expect(() => parsePrintOptions(source({ 'star-pre-buzzer': '4' }), defaults)).toThrow(/star-pre-buzzer/);
    expect(() => parsePrintOptions(source({}, { endbuzzer: '-1' }), defaults)).toThrow(/endbuzzer/);
    expect(() => parsePrintOptions(source({}, { copies: ['1', '2'] }), defaults)).toThrow(/copies must be given once/);
    expect(() => parsePrintOptions(source({}, { drawer: 'both' }), defaults)).toThrow(/drawer must be none, start or end/);
  });
});
