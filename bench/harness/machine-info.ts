import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { benchConfigOverride } from './bench-env.js';
import { REPO_ROOT } from './gateway-process.js';

export interface MachineInfo {
  cpus: number;
  model: string;
  loadAverageAtStart: number[];
  ramMB: number;
  node: string;
  platform: string;
  commit: string;
  /** Files changed against the commit when the run started (empty: a clean tree). */
  uncommitted: string[];
  user: 'root' | 'other';
  startedAt: string;
  /** BENCH_CONFIG of the run (config keys over the bench gateways'), when set. */
  benchConfig?: Record<string, unknown>;
}

function git(args: string[]): string {
  const result = spawnSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', timeout: 10_000 });
  return result.status === 0 ? result.stdout.trim() : '';
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    model: cpus[0]?.model.trim() ?? 'unknown',
    loadAverageAtStart: os.loadavg().map((load) => Math.round(load * 100) / 100),
    ramMB: Math.round(os.totalmem() / (1024 * 1024)),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    commit: git(['rev-parse', 'HEAD']) || 'unknown',
    uncommitted: git(['status', '--porcelain']).split('\n').filter(Boolean).map((line) => line.slice(3)),
    user: process.getuid?.() === 0 ? 'root' : 'other',
    startedAt: new Date().toISOString(),
    ...(Object.keys(benchConfigOverride()).length > 0 ? { benchConfig: benchConfigOverride() } : {}),
  };
}

export function describeMachine(machine: MachineInfo): string {
  const load = machine.loadAverageAtStart.map((n) => n.toFixed(2)).join(' ');
  return `${machine.cpus} × ${machine.model}, ${(machine.ramMB / 1024).toFixed(1)} GB RAM, load average ${load} at start; Node ${machine.node}; commit ${machine.commit.slice(0, 10)}${machine.uncommitted.length > 0 ? ' (+ uncommitted changes)' : ''}${machine.benchConfig ? `; BENCH_CONFIG ${JSON.stringify(machine.benchConfig)}` : ''}`;
}
