import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Network namespaces of the IPP tests (prefix pgi-, subnet 10.213.50.0/24): a bridge in its own
 * namespace and one namespace per host, so nothing that speaks mDNS runs in the host's namespace.
 */
export const PREFIX = 'pgi-';

export function ip(...args: string[]): string {
  const result = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr.trim() || `exit ${result.status}`}`);
  return result.stdout;
}

const exists = (name: string): boolean => existsSync(`/run/netns/${name}`);

function check(name: string): void {
  if (!name.startsWith(PREFIX) || !exists(name)) throw new Error(`refusing to run outside a test namespace: "${name}" is not a ${PREFIX}* namespace this test made`);
}

/** Removes a pgi-* namespace and whatever still runs in it (leftovers of an earlier run are fine). */
export function removeNamespace(name: string): void {
  if (!name.startsWith(PREFIX) || !exists(name)) return;
  const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  spawnSync('ip', ['netns', 'del', name]);
}

/** A switch namespace with a bridge, and hosts plugged into it with an address and a multicast route. */
export function lan(switchName: string, hosts: Record<string, string>): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) throw new Error('network namespace tests need root (ip netns add)');
  ip('netns', 'add', switchName);
  ip('-n', switchName, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0');
  ip('-n', switchName, 'link', 'set', 'br0', 'up');
  let port = 0;
  for (const [name, address] of Object.entries(hosts)) {
    port += 1;
    ip('netns', 'add', name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
    ip('-n', switchName, 'link', 'add', `p${port}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', name);
    ip('-n', switchName, 'link', 'set', `p${port}`, 'master', 'br0', 'up');
    ip('-n', name, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
    ip('-n', name, 'link', 'set', 'eth0', 'up');
    ip('-n', name, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0');
  }
}

/** Starts a program inside one of the test's namespaces (and only there). */
export function inNamespace(name: string, command: string, args: readonly string[]): ChildProcess {
  check(name);
  return spawn('ip', ['netns', 'exec', name, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Runs a program in a test namespace to its end (bounded), asynchronously. */
export function runIn(name: string, command: string, args: readonly string[], timeoutMs = 30_000): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = inNamespace(name, command, args);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    }),
  );
}
