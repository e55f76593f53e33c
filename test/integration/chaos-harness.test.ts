import { describe, expect, it } from 'vitest';
import type { ChaosAccount } from '../../bench/chaos/chaos-account.js';
import { runJsonCommand } from '../helpers/run-json-command.js';

/**
 * `npm run chaos`, shortened: the same command a user runs, its account read from --json. The
 * account is not weakened for what the engine cannot do yet: a full disk must be refused (507)
 * without a 5xx and every accepted job must print (issue 11).
 */

function expectClean(account: ChaosAccount): void {
  expect(account.lost, 'lost jobs').toEqual([]);
  expect(account.crashes, 'crashes').toBe(0);
  expect(account.serverErrors, '5xx answers').toBe(0);
  expect(account.misrouted, 'jobs at the wrong printer').toEqual([]);
  expect(account.waiting, 'jobs never printed').toEqual([]);
  // Every reprint says why.
  for (const reprint of account.reprinted) expect(reprint.stateReason, `job ${reprint.n}`).not.toBeNull();
}

describe('npm run chaos (shortened)', () => {
  it('loses no job over 20 kill -9 cycles with a stalling, a resetting and an away printer and the cloud down', async () => {
    const account = await runJsonCommand<ChaosAccount>('dist/bench/chaos/run-chaos.js', ['--phases', 'kill', '--cycles', '20', '--jobs-per-cycle', '6', '--away-seconds', '4', '--settle-seconds', '90'], 400_000);
    expect(account.kills).toBe(20);
    expect(account.accepted).toBe(120);
    expectClean(account);
    expect(account.printedOnce + account.reprinted.length + account.held.length + account.failed.length).toBe(account.accepted);
  }, 420_000);

  it('refuses documents on a full disk (a 4 MB tmpfs data directory) and prints every one it accepted', async () => {
    const account = await runJsonCommand<ChaosAccount>('dist/bench/chaos/run-chaos.js', ['--phases', 'disk', '--disk-mb', '4', '--settle-seconds', '60'], 240_000);
    expect(account.notes.filter((note) => note.includes('not run'))).toEqual([]);
    expect(account.accepted).toBeGreaterThan(0);
    expect(Object.keys(account.refused).length, 'a full disk refused some documents').toBeGreaterThan(0);
    expect(Object.keys(account.refused)).toEqual(['507']);
    expectClean(account);
  }, 260_000);
});
