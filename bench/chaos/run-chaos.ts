import { spawnSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createKey, GatewayProcess, writeConfig } from '../harness/gateway-process.js';
import { loadReferenceCloud } from '../harness/load-reference-cloud.js';
import { accountOf, printChaosAccount, settled, type ChaosAccount } from './chaos-account.js';
import { allJobs, burst, jobBody } from './chaos-jobs.js';
import { startChaosSink, type ChaosSink } from './chaos-sink.js';

/**
 * `npm run chaos`: a real gateway process killed with SIGKILL `cycles` times during bursts to
 * several printers — three that behave, one that stalls (accepts and stops reading), one that
 * resets connections mid-job, one that is away for minutes — with the cloud down, then a phase on
 * a full disk (a small tmpfs data directory). Every accepted job is counted at the printers by its
 * number: printed once, reprinted (each reported with the gateway's reason), held, failed with a
 * reason, still waiting, lost (must be 0).
 *
 *   npm run chaos -- [--cycles 20] [--jobs-per-cycle 15] [--away-seconds 120] [--settle-seconds 240] [--disk-mb 6] [--phases kill,disk] [--gateway-log FILE] [--json]
 */

export interface ChaosOptions {
  cycles: number;
  jobsPerCycle: number;
  awaySeconds: number;
  settleSeconds: number;
  /** Size of the tmpfs for the full-disk phase. */
  diskMb: number;
  /** Which phases run: the kill -9 cycles ("kill"), the full disk ("disk"). */
  phases: readonly ('kill' | 'disk')[];
  /** A file that gets every gateway's output (its JSON log lines) when a phase ends: what to read when a job is left waiting. */
  gatewayLog?: string;
  log?: (line: string) => void;
}

const PRINTERS = ['a', 'b', 'c', 'stall', 'reset', 'away'] as const;
const PERMISSIONS = ['PrintToDevice', 'ViewJobs', 'EnumDevices'];

function config(printers: ChaosSink[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    server: { host: '127.0.0.1', port: 0, shutdownGraceSeconds: 1 },
    discovery: { interfaces: [], serial: false, usb: false },
    jobs: { retryInitialMs: 50, retryMaxMs: 500, connectTimeoutMs: 1000, confirmTimeoutMs: 5000, maxAttempts: 100 },
    limits: { perKey: { ratePerSecond: 100_000, burst: 100_000 } },
    printers: printers.map((sink) => ({ name: sink.name, group: 'chaos', appId: sink.name, uri: sink.uri, language: 'raw' })),
    ...extra,
  };
}

async function settle(url: () => string | null, key: string, input: Omit<Parameters<typeof accountOf>[0], 'jobs'>, deadlineMs: number) {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const current = url();
    if (current !== null) {
      const account = accountOf({ ...input, jobs: await allJobs(current, key) });
      if (settled(account) || Date.now() > deadline) return account;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The main phase: kill -9 cycles during bursts to misbehaving printers, the cloud down. */
async function killCycles(options: ChaosOptions, say: (line: string) => void): Promise<ChaosAccount> {
  const ReferenceCloud = await loadReferenceCloud();
  const cloud = await ReferenceCloud.start({ pingSeconds: 3600 });
  cloud.setFault('down');
  const secrets = mkdtempSync(path.join(tmpdir(), 'printgate-chaos-cloud-'));
  const tokenFile = path.join(secrets, 'token');
  writeFileSync(tokenFile, cloud.token, { mode: 0o600 });
  const sinks = await Promise.all(PRINTERS.map((name) => startChaosSink(name)));
  const byName = new Map(sinks.map((sink) => [sink.name, sink]));
  const files = writeConfig(config(sinks, { cloud: { ...cloud.configFor(tokenFile), pollSeconds: 1 } }), 'printgate-chaos-');
  const gateway = new GatewayProcess(files.file);
  const notes: string[] = [];
  try {
    const key = createKey(files.file, PERMISSIONS, 'chaos');
    byName.get('stall')!.stopReading();
    byName.get('reset')!.resetEvery(3);
    await byName.get('away')!.goAway();
    await gateway.start();
    const total = options.cycles * options.jobsPerCycle;
    const numbers = Array.from({ length: total }, (_, n) => n);
    const printerOf = (n: number): string => PRINTERS[n % PRINTERS.length]!;
    let kills = 0;
    let restarting: Promise<void> = Promise.resolve();
    const backAt = Date.now() + options.awaySeconds * 1000;
    const awayBack = new Promise<void>((resolve) => setTimeout(resolve, options.awaySeconds * 1000)).then(() => byName.get('away')!.comeBack());
    say(`chaos: ${total} jobs to ${PRINTERS.length} printers (stall, reset, away for ${options.awaySeconds} s), the cloud down, SIGKILL every ${options.jobsPerCycle} accepted jobs`);
    const onAccepted = (accepted: number): void => {
      if (kills >= options.cycles || accepted < (kills + 1) * options.jobsPerCycle - Math.floor(options.jobsPerCycle / 2)) return;
      kills += 1;
      if (kills === Math.ceil(options.cycles / 2)) cloud.setFault('none'); // the cloud comes and goes meanwhile
      if (kills === Math.ceil(options.cycles / 2) + 2) cloud.setFault('down');
      restarting = restarting.then(async () => {
        await gateway.kill('SIGKILL');
        await gateway.start();
      });
    };
    const result = await burst({ url: () => (gateway.alive && gateway.url !== '' ? gateway.url : null), key, numbers, pathFor: (n) => `/v1/a/chaos/d/${printerOf(n)}/q`, clients: 6, deadlineMs: 300_000, onAccepted });
    await restarting;
    // Kills still owed when the burst ended early (small runs): each with the gateway busy delivering.
    while (kills < options.cycles) {
      kills += 1;
      await gateway.kill('SIGKILL');
      await gateway.start();
    }
    say(`chaos: ${result.accepted.size} accepted through ${kills} kills; the stalled printer reads again, waiting for the rest`);
    byName.get('stall')!.resume();
    await awayBack;
    if (Date.now() < backAt) notes.push('the away printer came back before the burst ended');
    const account = await settle(() => (gateway.alive ? gateway.url : null), key, { accepted: result.accepted, printerOf, sinks }, options.settleSeconds * 1000);
    if (account.waiting.length > 0) notes.push(`${account.waiting.length} job(s) still queued after ${options.settleSeconds} s (stall detection is issue 11's engine work)`);
    return { ...account, refused: {}, serverErrors: result.serverErrors, kills, crashes: gateway.crashes.length, notes };
  } finally {
    await gateway.kill('SIGTERM').catch(() => gateway.kill('SIGKILL'));
    keepLog(options, 'kill', gateway.text());
    await Promise.all(sinks.map((sink) => sink.close()));
    await cloud.stop();
    files.remove();
    rmSync(secrets, { recursive: true, force: true });
  }
}

/** The full-disk phase: the data directory on a small tmpfs; refusals are counted, accepted jobs must all print. */
async function diskFull(options: ChaosOptions, say: (line: string) => void): Promise<ChaosAccount> {
  const notes: string[] = [];
  const empty = (): ChaosAccount => ({ accepted: 0, printedOnce: 0, reprinted: [], held: [], failed: [], waiting: [], lost: [], misrouted: [], torn: {}, refused: {}, serverErrors: 0, kills: 0, crashes: 0, notes });
  if (process.getuid?.() !== 0) {
    notes.push('full-disk phase not run: mounting a tmpfs needs root (run npm run chaos as root)');
    return empty();
  }
  const base = mkdtempSync(path.join(tmpdir(), 'printgate-chaos-disk-'));
  const dataDir = path.join(base, 'var');
  mkdirSync(dataDir);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${options.diskMb}m`, 'tmpfs', dataDir], { encoding: 'utf8' });
  if (mounted.status !== 0) {
    notes.push(`full-disk phase not run: mount -t tmpfs failed: ${mounted.stderr.trim()}`);
    rmSync(base, { recursive: true, force: true });
    return empty();
  }
  const sink = await startChaosSink('disk');
  const files = writeConfig({ ...config([sink]), dataDir }, 'printgate-chaos-disk-');
  const gateway = new GatewayProcess(files.file);
  try {
    const key = createKey(files.file, PERMISSIONS, 'chaos-disk');
    await gateway.start();
    // Documents of 48 KB until the disk is full, and on: a full disk must refuse, not accept and lose.
    const count = Math.ceil(((options.diskMb * 1.5) * 1024) / 48);
    const numbers = Array.from({ length: count }, (_, n) => 100_000 + n);
    say(`chaos: ${count} documents of 48 KB into a ${options.diskMb} MB data directory`);
    let killed = false;
    const result = await burst({
      url: () => (gateway.alive && gateway.url !== '' ? gateway.url : null),
      key,
      numbers,
      pathFor: () => '/v1/a/chaos/d/disk/q',
      clients: 4,
      deadlineMs: 120_000,
      body: (n) => jobBody(n, 24 * 1024),
      refuse: (status) => status === 507 || status >= 500,
      onAccepted: (accepted) => {
        if (killed || accepted < count / 3) return;
        killed = true;
        void gateway.kill('SIGKILL').then(() => gateway.start());
      },
    });
    if (!gateway.alive) await gateway.start();
    const refused: Record<string, number> = {};
    for (const status of result.refused.values()) refused[String(status)] = (refused[String(status)] ?? 0) + 1;
    if (Object.keys(refused).some((status) => status !== '507')) notes.push('a full disk was answered with a 5xx other than 507 (507 on a full disk is issue 11\'s engine work)');
    const account = await settle(() => (gateway.alive ? gateway.url : null), key, { accepted: result.accepted, printerOf: () => 'disk', sinks: [sink] }, options.settleSeconds * 1000);
    return { ...account, refused, serverErrors: result.serverErrors, kills: killed ? 1 : 0, crashes: gateway.crashes.length, notes };
  } finally {
    await gateway.kill('SIGTERM').catch(() => gateway.kill('SIGKILL'));
    keepLog(options, 'disk', `${gateway.text()}\n# the data directory at the end\n${spawnSync('sh', ['-c', 'ls -la "$1"/ "$1"/spool; df -k "$1"', 'ls', dataDir], { encoding: 'utf8' }).stdout}`);
    await sink.close();
    spawnSync('umount', [dataDir]);
    files.remove();
    rmSync(base, { recursive: true, force: true });
  }
}

/** Appends a phase's gateway output to --gateway-log. */
function keepLog(options: ChaosOptions, phase: string, text: string): void {
  if (options.gatewayLog) appendFileSync(options.gatewayLog, `# phase ${phase}\n${text}\n`);
}

function merge(a: ChaosAccount, b: ChaosAccount): ChaosAccount {
  const refused = { ...a.refused };
  for (const [status, n] of Object.entries(b.refused)) refused[status] = (refused[status] ?? 0) + n;
  return {
    accepted: a.accepted + b.accepted,
    printedOnce: a.printedOnce + b.printedOnce,
    reprinted: [...a.reprinted, ...b.reprinted],
    held: [...a.held, ...b.held],
    failed: [...a.failed, ...b.failed],
    waiting: [...a.waiting, ...b.waiting],
    lost: [...a.lost, ...b.lost],
    misrouted: [...a.misrouted, ...b.misrouted],
    torn: { ...a.torn, ...b.torn },
    refused,
    serverErrors: a.serverErrors + b.serverErrors,
    kills: a.kills + b.kills,
    crashes: a.crashes + b.crashes,
    notes: [...a.notes, ...b.notes],
  };
}

export async function runChaos(options: ChaosOptions): Promise<ChaosAccount> {
  const say = options.log ?? (() => undefined);
  const accounts: ChaosAccount[] = [];
  if (options.phases.includes('kill')) accounts.push(await killCycles(options, say));
  if (options.phases.includes('disk')) accounts.push(await diskFull(options, say));
  if (accounts.length === 0) throw new Error('no chaos phase chosen (--phases kill,disk)');
  return accounts.reduce(merge);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      cycles: { type: 'string', default: '20' },
      'jobs-per-cycle': { type: 'string', default: '15' },
      'away-seconds': { type: 'string', default: '120' },
      'settle-seconds': { type: 'string', default: '240' },
      'disk-mb': { type: 'string', default: '6' },
      phases: { type: 'string', default: 'kill,disk' },
      'gateway-log': { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const account = await runChaos({
    cycles: Number(values.cycles),
    jobsPerCycle: Number(values['jobs-per-cycle']),
    awaySeconds: Number(values['away-seconds']),
    settleSeconds: Number(values['settle-seconds']),
    diskMb: Number(values['disk-mb']),
    phases: values.phases.split(',').map((phase) => phase.trim()).filter((phase): phase is 'kill' | 'disk' => phase === 'kill' || phase === 'disk'),
    ...(values['gateway-log'] ? { gatewayLog: values['gateway-log'] } : {}),
    log: values.json ? undefined : (line) => console.log(line),
  });
  if (values.json) console.log(JSON.stringify(account));
  else printChaosAccount(account, (line) => console.log(line));
  if (account.lost.length > 0 || account.crashes > 0 || account.serverErrors > 0 || account.misrouted.length > 0 || account.waiting.length > 0) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main();
