import { spawn } from 'node:child_process';
import { CLI, type CliResult } from './cli-process.js';

/**
 * Runs one CLI command without blocking this process (bounded: killed after 30 s), so a peer in
 * this process (a pty, an HTTP server) can answer it meanwhile; `input` goes to its standard input.
 */
export function runCliAsync(args: string[], input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, PRINTGATE_CONFIG: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}
