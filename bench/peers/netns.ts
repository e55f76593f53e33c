import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Network namespaces for tests and benchmarks that speak mDNS. Nothing that speaks mDNS may run in
 * the host's own namespace: every such process is started through `inNamespace`, which only
 * accepts a namespace made here (prefix `pgd-`, listed in /run/netns), and the peer scripts check
 * again themselves (netns-guard.ts).
 */
export const NETNS_PREFIX = 'pgd-';

const REQUIRED: Record<string, string> = { ip: 'iproute2' };

export function has(program: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

/** Throws naming the Debian package when a program is missing, or when not root (namespaces need it). */
export function requirePrograms(programs: Record<string, string>): void {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) throw new Error('network namespace tests need root (ip netns add)');
  const missing = Object.entries({ ...REQUIRED, ...programs }).filter(([program]) => !has(program));
  if (missing.length > 0) {
    throw new Error(`missing test peers: ${missing.map(([p, pkg]) => `${p} (apt-get install -y ${pkg})`).join(', ')}`);
  }
}

/** Runs `ip ARGS`; throws with its stderr. */
export function ip(...args: string[]): string {
  const result = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr.trim() || `exit ${result.status}`}`);
  return result.stdout;
}

export function namespaceExists(name: string): boolean {
  return existsSync(`/run/netns/${name}`);
}

function checkNamespace(name: string): void {
  if (!name.startsWith(NETNS_PREFIX) || !namespaceExists(name)) {
    throw new Error(`refusing to speak mDNS outside a test namespace: "${name}" is not a ${NETNS_PREFIX}* namespace in /run/netns`);
  }
}

/** Starts a process inside a test namespace (ip netns exec execs it: the child's pid is the program's). */
export function inNamespace(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  checkNamespace(name);
  return spawn('ip', ['netns', 'exec', name, command, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

/** Runs a command to completion inside a test namespace (bounded). */
export function runInNamespace(name: string, command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}) {
  checkNamespace(name);
  return spawnSync('ip', ['netns', 'exec', name, command, ...args], { encoding: 'utf8', timeout: options.timeoutMs ?? 30_000, env: options.env ?? process.env, maxBuffer: 64 * 1024 * 1024 });
}

/** True for a pid that has exited or is a zombie (PID 1 here reaps late). */
export function gone(pid: number): boolean {
  try {
    const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.charAt(0);
    return state === undefined || state === 'Z';
  } catch {
    return true;
  }
}

/** TERM, then KILL after `graceMs`, one pid. */
export async function stopPid(pid: number | undefined, graceMs = 2000): Promise<void> {
  if (pid === undefined || gone(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (!gone(pid) && Date.now() < deadline) await sleep(20);
  if (gone(pid)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Stops whatever still runs inside a namespace (by pid), then deletes it. Tolerates a missing one. */
export async function deleteNamespace(name: string): Promise<void> {
  if (!name.startsWith(NETNS_PREFIX) || !namespaceExists(name)) return;
  const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map(Number);
  await Promise.all(pids.map((pid) => stopPid(pid)));
  spawnSync('ip', ['netns', 'del', name]);
}

/**
 * An L2 segment: a bridge (snooping off, so multicast floods) in its own namespace, so that no
 * interface ever appears in the host's namespace.
 */
export class Segment {
  private ports = 0;

  constructor(readonly switchNamespace: string) {}

  static create(switchNamespace: string): Segment {
    ip('netns', 'add', switchNamespace);
    ip('netns', 'exec', switchNamespace, 'sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1');
    ip('-n', switchNamespace, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0');
    ip('-n', switchNamespace, 'link', 'set', 'br0', 'up');
    return new Segment(switchNamespace);
  }

  /** Plugs `namespace` into the segment as `ifname` with `address/24` and a multicast route. */
  attach(namespace: string, ifname: string, address: string): void {
    this.ports += 1;
    const port = `p${this.ports}`;
    if (!namespaceExists(namespace)) {
      ip('netns', 'add', namespace);
      ip('-n', namespace, 'link', 'set', 'lo', 'up');
    }
    ip('-n', this.switchNamespace, 'link', 'add', port, 'type', 'veth', 'peer', 'name', ifname, 'netns', namespace);
    ip('-n', this.switchNamespace, 'link', 'set', port, 'master', 'br0', 'up');
    ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', ifname);
    ip('-n', namespace, 'link', 'set', ifname, 'up');
    // No default route in a namespace: without this every mDNS send fails with ENETUNREACH (one per
    // interface, each with its own metric: sockets pin their interface with IP_MULTICAST_IF).
    const metric = ip('-n', namespace, 'route', 'show', '224.0.0.0/4').split('\n').filter(Boolean).length;
    ip('-n', namespace, 'route', 'add', '224.0.0.0/4', 'dev', ifname, 'metric', String(metric));
  }
}

/** Moves a namespace's interface to a new address, as a new DHCP lease would (flush, then add). */
export function renumber(namespace: string, ifname: string, address: string): void {
  ip('-n', namespace, 'addr', 'flush', 'dev', ifname, 'scope', 'global');
  ip('-n', namespace, 'addr', 'add', `${address}/24`, 'dev', ifname);
  ip('-n', namespace, 'route', 'replace', '224.0.0.0/4', 'dev', ifname);
}
