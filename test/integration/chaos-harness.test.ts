import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChaosAccount } from '../../bench/chaos/chaos-account.js';
import { REPO_ROOT } from '../helpers/cli-process.js';

/**
 * `npm run chaos`, shortened: the same command a user runs, its account read from --json. The
 * account is not weakened for what the engine cannot do yet: a full disk must be refused (507)
 * without a 5xx and every accepted job must print (issue 11).
 */

function chaos(args: string[], timeoutMs: number): Promise<ChaosAccount> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/bench/chaos/run-chaos.js'), ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ChaosAccount);
      } catch {
        reject(new Error(`npm run chaos printed no account:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`));
      }
    });
  });
}

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
    const account = await chaos(['--phases', 'kill', '--cycles', '20', '--jobs-per-cycle', '6', '--away-seconds', '4', '--settle-seconds', '90'], 400_000);
    expect(account.kills).toBe(20);
    expect(account.accepted).toBe(120);
    expectClean(account);
    expect(account.printedOnce + account.reprinted.length + account.held.length + account.failed.length).toBe(account.accepted);
  }, 420_000);

  it('refuses documents on a full disk (a 4 MB tmpfs data directory) and prints every one it accepted', async () => {
    const account = await chaos(['--phases', 'disk', '--disk-mb', '4', '--settle-seconds', '60'], 240_000);
    expect(account.notes.filter((note) => note.includes('not run'))).toEqual([]);
    expect(account.accepted).toBeGreaterThan(0);
    expect(Object.keys(account.refused).length, 'a full disk refused some documents').toBeGreaterThan(0);
    expect(Object.keys(account.refused)).toEqual(['507']);
    expectClean(account);
  }, 260_000);
});
