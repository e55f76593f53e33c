import { type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { waitFor } from '../helpers/wait-for.js';
import { deleteNamespace, gone, inNamespace, requirePrograms, runInNamespace, Segment, stopPid } from '../../bench/peers/netns.js';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI = path.join(REPO_ROOT, 'dist/src/cli.js');
const PEERS_DIR = import.meta.dirname;

export interface PeerProcess {
  child: ChildProcess;
  /** stdout and stderr as they came (the last 200 kB). */
  output(): string;
  stdout(): string;
  stop(graceMs?: number): Promise<void>;
  kill(): Promise<void>;
}

/**
 * A set of test namespaces (prefix `pgd-<tag>-`) and the processes started in them, torn down
 * together (processes by pid, then the namespaces). Leftovers of an earlier run are removed first.
 */
export class Topology {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'printgate-netns-'));
  private readonly processes: PeerProcess[] = [];
  private readonly namespaces = new Set<string>();

  constructor(
    readonly tag: string,
    programs: Record<string, string> = {},
  ) {
    requirePrograms(programs);
  }

  ns(name: string): string {
    const full = `pgd-${this.tag}-${name}`;
    this.namespaces.add(full);
    return full;
  }

  async clearLeftovers(names: readonly string[]): Promise<void> {
    for (const name of names) await deleteNamespace(this.ns(name));
  }

  segment(name: string): Segment {
    return Segment.create(this.ns(name));
  }

  /** Starts a long-running process in a namespace and keeps it for teardown. */
  start(namespace: string, command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): PeerProcess {
    const child = inNamespace(namespace, command, args, { env: { ...process.env, ...env } });
    let output = '';
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-200_000);
      stdout += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-200_000)));
    const peer: PeerProcess = {
      child,
      output: () => output,
      stdout: () => stdout,
      stop: (graceMs = 2000) => stopPid(child.pid, graceMs),
      kill: async () => {
        if (child.pid !== undefined && !gone(child.pid)) child.kill('SIGKILL');
        await waitFor('a killed peer to exit', () => child.pid === undefined || gone(child.pid), 5000);
      },
    };
    this.processes.push(peer);
    return peer;
  }

  /** A private D-Bus and an avahi-daemon in `namespace` (private /run, its own host name, eth0 only). */
  async avahi(namespace: string, hostName: string): Promise<string> {
    const dir = path.join(this.dir, namespace);
    mkdirSync(path.join(dir, 'services'), { recursive: true });
    const bus = `unix:path=${path.join(dir, 'bus')}`;
    this.start(namespace, 'dbus-daemon', ['--session', `--address=${bus}`, '--nofork', '--nopidfile']);
    await waitFor('dbus-daemon', () => runInNamespace(namespace, 'sh', ['-c', `test -S ${path.join(dir, 'bus')}`]).status === 0, 5000);
    writeFileSync(
      path.join(dir, 'avahi.conf'),
      [
        '[server]',
        `host-name=${hostName}`,
        'domain-name=local',
        'use-ipv4=yes',
        'use-ipv6=no',
        'allow-interfaces=eth0',
        'enable-dbus=yes',
        'ratelimit-interval-usec=1000000',
        'ratelimit-burst=1000',
        '[wide-area]',
        'enable-wide-area=no',
        '[publish]',
        'publish-hinfo=no',
        'publish-workstation=no',
        '',
      ].join('\n'),
    );
    // ip netns exec gives a private mount namespace: /run and /etc/avahi/services are the daemon's own.
    // mount -n: a plain mount would write /run/mount on the host before the tmpfs covers /run.
    const avahi = this.start(
      namespace,
      'sh',
      [
        '-c',
        'mount -n -t tmpfs tmpfs /run && mkdir -p /run/avahi-daemon && mount -n --bind "$1" /etc/avahi/services && exec avahi-daemon -f "$2" --no-drop-root --no-chroot --no-rlimits --no-proc-title',
        'sh',
        path.join(dir, 'services'),
        path.join(dir, 'avahi.conf'),
      ],
      { DBUS_SYSTEM_BUS_ADDRESS: bus },
    );
    await waitFor(`avahi-daemon in ${namespace}`, () => {
      if (avahi.child.exitCode !== null) throw new Error(`avahi-daemon exited: ${avahi.output()}`);
      return avahi.output().includes('Server startup complete');
    }, 10_000, 50);
    return bus;
  }

  /** ippeveprinter behind the namespace's avahi (no -n: it listens on every address of its namespace). */
  async ippEvePrinter(namespace: string, bus: string, options: { port: number; make: string; model: string; formats: string[]; name: string }): Promise<PeerProcess> {
    const dir = path.join(this.dir, namespace, 'ipp');
    mkdirSync(path.join(dir, 'spool'), { recursive: true });
    mkdirSync(path.join(dir, 'ssl'), { recursive: true });
    const printer = this.start(
      namespace,
      'ippeveprinter',
      ['-p', String(options.port), '-K', path.join(dir, 'ssl'), '-d', path.join(dir, 'spool'), '-k', '-c', '/bin/true', '-M', options.make, '-m', options.model, '-f', options.formats.join(','), options.name],
      { DBUS_SYSTEM_BUS_ADDRESS: bus },
    );
    await waitFor(`ippeveprinter in ${namespace}`, () => {
      if (printer.child.exitCode !== null) throw new Error(`ippeveprinter exited: ${printer.output()}`);
      return runInNamespace(namespace, 'sh', ['-c', `ss -ltnH 'sport = :${options.port}' | grep -q LISTEN`]).status === 0;
    }, 10_000, 50);
    return printer;
  }

  /** A bonjour-service raw printer (test/peers/raw-printer.mjs): `_pdl-datastream._tcp` plus a TCP sink. */
  async rawPrinter(namespace: string, address: string, options: { port: number; name: string; txt: Record<string, string> }): Promise<PeerProcess & { out: string }> {
    const out = path.join(this.dir, `${namespace}-raw.bin`);
    const peer = this.start(namespace, process.execPath, [path.join(PEERS_DIR, 'raw-printer.mjs'), address, out, String(options.port), options.name, JSON.stringify(options.txt)]);
    await waitFor(`the raw printer in ${namespace} to publish`, () => {
      if (peer.child.exitCode !== null) throw new Error(`raw-printer.mjs exited: ${peer.output()}`);
      return peer.output().includes('published');
    }, 10_000, 20);
    return Object.assign(peer, { out });
  }

  /** Writes a printgate config for the discover command. */
  config(document: Record<string, unknown>): string {
    const file = path.join(this.dir, `config-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, stringify({ dataDir: path.join(this.dir, 'var'), ...document }));
    return file;
  }

  /** `printgate discover --json` inside a namespace, to completion. */
  discover(namespace: string, configFile: string, seconds: number, env: NodeJS.ProcessEnv = {}): { status: number | null; report: DiscoverJson; stderr: string } {
    const result = runInNamespace(namespace, process.execPath, [CLI, 'discover', '--json', '--seconds', String(seconds), '--config', configFile], {
      env: { ...process.env, PRINTGATE_CONFIG: '', ...env },
      timeoutMs: (seconds + 20) * 1000,
    });
    let report: DiscoverJson;
    try {
      report = JSON.parse(result.stdout) as DiscoverJson;
    } catch {
      throw new Error(`discover printed no JSON (status ${result.status}): ${result.stdout.slice(0, 500)} ${result.stderr.slice(0, 2000)}`);
    }
    return { status: result.status, report, stderr: result.stderr };
  }

  /** `printgate discover --watch --json` running in a namespace: its event lines as they come. */
  watch(namespace: string, configFile: string, seconds: number): { peer: PeerProcess; events(): WatchEvent[] } {
    const peer = this.start(namespace, process.execPath, [CLI, 'discover', '--watch', '--json', '--seconds', String(seconds), '--config', configFile], { PRINTGATE_CONFIG: '' });
    const events = (): WatchEvent[] =>
      peer
        .stdout()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as WatchEvent);
    return { peer, events };
  }

  async down(): Promise<void> {
    for (const peer of this.processes.splice(0).reverse()) await peer.stop(1000);
    for (const name of [...this.namespaces].reverse()) await deleteNamespace(name);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What `discover --json` prints (devices are DeviceInfo). */
export interface DiscoverJson {
  seconds: number;
  devices: (Record<string, unknown> & { identity: string; uri: string; name: string; said: Record<string, string> })[];
  notes: string[];
}

export interface WatchEvent {
  event: 'found' | 'updated' | 'lost' | 'done';
  reason?: string;
  device?: { identity: string; uri: string; name: string };
}
