import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './cli-process.js';

/** Runs a compiled script of the repo (e.g. dist/bench/fuzz/run-fuzz.js) with --json and parses its last line (bounded). */
export function runJsonCommand<T>(script: string, args: string[], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, script), ...args, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', () => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T);
      } catch {
        reject(new Error(`${script} printed no account:\n${stdout.slice(-2000)}\n${stderr.slice(-2000)}`));
      }
    });
  });
}
