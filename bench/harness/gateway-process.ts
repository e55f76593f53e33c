import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { SERVE_ENVIRONMENT, SERVE_NODE_FLAGS } from '../../src/memory-limits.js';

/** The checkout's root, from this file in bench/harness/ or dist/bench/harness/. */
export const REPO_ROOT = ((): string => {
  let dir = import.meta.dirname;
  while (!existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return dir;
})();
export const CLI = path.join(REPO_ROOT, 'dist/src/cli.js');
/** The same CLI unbundled (scripts/bundle.mjs keeps it): a CPU profile of it names the built files. */
export const CLI_MODULES = path.join(REPO_ROOT, 'dist/src/cli-modules.js');

/** A temporary directory with a printgate.yaml; `dataDir` is its var/ unless the document names another. */
export function writeConfig(document: Record<string, unknown>, prefix = 'printgate-harness-'): { dir: string; file: string; dataDir: string; remove(): void } {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const dataDir = typeof document.dataDir === 'string' ? document.dataDir : path.join(dir, 'var');
  const file = path.join(dir, 'printgate.yaml');
  writeFileSync(file, stringify({ dataDir, ...document }));
  return { dir, file, dataDir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Runs the CLI once (bounded), e.g. `keys create … --json`. */
export function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, PRINTGATE_CONFIG: '' } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Mints a key through the CLI and returns it (shown once). */
export function createKey(configFile: string, permissions: string[], name = 'harness'): string {
  const result = runCli(['keys', 'create', '--config', configFile, '--name', name, '--permissions', permissions.join(','), '--json']);
  if (result.status !== 0) throw new Error(`keys create failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { key: string }).key;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when it died by itself (not by a signal this harness sent). */
  crashed: boolean;
}

/** `printgate serve` as a child process: started, watched, killed, started again on the same data directory. */
export class GatewayProcess {
  private child: ChildProcess | null = null;
  private output = '';
  private killing = false;
  url = '';
  readonly exits: ExitInfo[] = [];

  /** `nodeArgs` go before the CLI (e.g. `--cpu-prof`); `env` is added to the environment; `entry` is the CLI file (CLI unless said). */
  constructor(
    readonly configFile: string,
    private readonly options: { nodeArgs?: string[]; env?: Record<string, string>; entry?: string } = {},
  ) {}

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get alive(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Exits nobody asked for (a crash). */
  get crashes(): ExitInfo[] {
    return this.exits.filter((exit) => exit.crashed);
  }

  /** Starts serve and waits (bounded) for its "listening" line. */
  async start(timeoutMs = 30_000): Promise<void> {
    const entry = this.options.entry ?? CLI;
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run "npm ci" (it builds dist/) or "npm run build"`);
    // As the systemd unit starts it (its node flags and environment).
    const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, ...(this.options.nodeArgs ?? []), entry, 'serve', '--config', this.configFile], {
      env: { ...process.env, ...SERVE_ENVIRONMENT, PRINTGATE_CONFIG: '', ...this.options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.killing = false;
    this.url = '';
    const mark = this.output.length;
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString('utf8')));
    child.once('exit', (code, signal) => this.exits.push({ code, signal, crashed: !this.killing }));
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const listening = this.linesSince(mark).find((line) => line.msg === 'listening');
      if (listening) {
        this.url = String(listening.url);
        return;
      }
      if (!this.alive) throw new Error(`serve exited (${child.exitCode ?? child.signalCode}) before listening:\n${this.output.slice(mark, mark + 4000)}`);
      if (Date.now() > deadline) throw new Error(`serve did not listen within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Sends a signal and waits (bounded) for the exit. */
  async kill(signal: NodeJS.Signals = 'SIGKILL', timeoutMs = 15_000): Promise<void> {
    const child = this.child;
    if (!child || !this.alive) return;
    this.killing = true;
    this.url = '';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await Promise.race([exited, new Promise((_, reject) => setTimeout(() => reject(new Error(`serve did not exit within ${timeoutMs} ms of ${signal}`)), timeoutMs))]);
  }

  /** Resident memory of the running gateway, in kB (from /proc). */
  rssKb(): number | null {
    if (!this.alive || this.pid === null) return null;
    try {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      return match ? Number(match[1]) : null;
    } catch {
      return null;
    }
  }

  lines(): Record<string, unknown>[] {
    return this.linesSince(0);
  }

  text(): string {
    return this.output;
  }

  private linesSince(mark: number): Record<string, unknown>[] {
    return this.output
      .slice(mark)
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .flatMap((line) => {
        try {
          return [JSON.parse(line) as Record<string, unknown>];
        } catch {
          return [];
        }
      });
  }
}

/** Deterministic pseudo-random numbers (mulberry32), so a run can be repeated with --seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Percentile of a list of numbers (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
