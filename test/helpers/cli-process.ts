import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { stringify } from 'yaml';
import { waitFor } from './wait-for.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI = path.join(REPO_ROOT, 'dist/src/cli.js');

function requireBuild(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" (npm ci does it through "prepare")`);
}

/** Temp directories of the test file that imports this helper, removed after its last test. */
const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Writes a YAML config into a fresh temp directory whose var/ is the data directory. */
export function writeConfig(document: Record<string, unknown>): { file: string; dir: string; dataDir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'printgate-cli-'));
  tempDirs.push(dir);
  const dataDir = path.join(dir, 'var');
  const file = path.join(dir, 'printgate.yaml');
  writeFileSync(file, stringify({ dataDir, ...document }));
  return { file, dir, dataDir };
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs one CLI command to completion (bounded). */
export function runCli(args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  requireBuild();
  const result = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, PRINTGATE_CONFIG: '', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  output(): string;
  lines(): Record<string, unknown>[];
  /** Sends a signal and waits (bounded) for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `serve` as a real child process and waits for its "listening" line. */
export async function startServe(configFile: string, env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  requireBuild();
  const child = spawn(process.execPath, [CLI, 'serve', '--config', configFile], {
    env: { ...process.env, PRINTGATE_CONFIG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const parse = (): Record<string, unknown>[] =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  const listening = await waitFor(
    'the gateway to listen',
    () => {
      if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}:\n${output}`);
      return parse().find((line) => line.msg === 'listening');
    },
    20_000,
  );
  return {
    child,
    url: String(listening.url),
    output: () => output,
    lines: parse,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      const timeout = new Promise<number | null>((_, reject) => setTimeout(() => reject(new Error('serve did not exit within 15 s')), 15_000));
      return Promise.race([exited, timeout]);
    },
  };
}
