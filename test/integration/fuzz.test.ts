import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FuzzAccount } from '../../bench/fuzz/run-fuzz.js';
import { REPO_ROOT } from '../helpers/cli-process.js';

/** `npm run fuzz`, shortened: the same command a user runs, its account read from --json. */

function runJson<T>(script: string, args: string[], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, script), ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', () => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').at(-1) ?? '';
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} printed no account:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`));
      }
    });
  });
}

describe('npm run fuzz (shortened)', () => {
  it('answers every malformed request, raw-socket case and document bomb without a 5xx or a crash', async () => {
    const account = await runJson<FuzzAccount>('dist/bench/fuzz/run-fuzz.js', ['--requests', '600', '--slowloris', '40', '--slowloris-seconds', '2'], 280_000);
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
