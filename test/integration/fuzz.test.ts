import { describe, expect, it } from 'vitest';
import type { FuzzAccount } from '../../bench/fuzz/run-fuzz.js';
import { runJsonCommand } from '../helpers/run-json-command.js';

/** `npm run fuzz`, shortened: the same command a user runs, its account read from --json. */

describe('npm run fuzz (shortened)', () => {
  it('answers every malformed request, raw-socket case and document bomb without a 5xx or a crash', async () => {
    const account = await runJsonCommand<FuzzAccount>('dist/bench/fuzz/run-fuzz.js', ['--requests', '600', '--slowloris', '40', '--slowloris-seconds', '2'], 280_000);
    expect(account.requests).toBe(600);
    expect(account.raw).toBeGreaterThanOrEqual(30);
    expect(account.bombs).toBe(3);
    expect(account.fiveXX).toEqual([]);
    expect(account.crashes).toBe(0);
    expect(account.alive).toBe(true);
    expect(account.smuggled).toEqual([]);
    expect(account.healthz.samples).toBeGreaterThan(0);
  }, 300_000);
});
