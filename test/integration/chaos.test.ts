import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startServe, writeConfig, type ServeProcess } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { within } from '../helpers/settle.js';

/**
 * Chaos: a real gateway process, a burst of numbered jobs, a kill -9 in the middle, and printers
 * that vanish and return. Every job is counted at the printer end by its number: none lost; a
 * repeat only for the job a crash caught on the wire, and only under inFlightAfterRestart: reprint.
 */

const JOBS = 300;
const CLIENTS = 8;
const BODY = /^job (\d{4}) [0-9a-f]+ end (\d{4})\n$/;

function body(n: number): Buffer {
  const id = String(n).padStart(4, '0');
  return Buffer.from(`job ${id} ${randomBytes(8 + (n % 50)).toString('hex')} end ${id}\n`);
}

/** The job number a connection carried, or null for a torn or foreign body. */
function numberOf(bytes: Buffer): number | null {
  const match = BODY.exec(bytes.toString('latin1'));
  return match && match[1] === match[2] ? Number(match[1]) : null;
}

interface ChaosSink {
  port: number;
  uri: string;
  /** Job numbers in the order their connections ended, repeats included. */
  numbers(): number[];
  /** Connections that carried bytes that are not one whole job (torn by a crash or an outage). */
  torn(): Buffer[];
  /** Connections that carried bytes. */
  jobCount(): number;
  /** Holds the connection of the next job after `after` jobs open (never closes it): a job stuck on the wire. */
  stallAfter(after: number): void;
  /** The job number being held on the wire, if any. */
  stalled(): number | null;
  /** Stops listening (new connections are refused); jobs already on the wire finish. */
  goAway(): Promise<void>;
  /** Listens again on the same port. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A raw 9100 printer that records each connection as one job: it reads until the sender
 * half-closes, then closes its side (the socket transport's confirmation).
 */
async function startChaosSink(): Promise<ChaosSink> {
  const numbers: number[] = [];
  const torn: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  let stallAt: number | null = null;
  let stalledNumber: number | null = null;
  let jobs = 0;
  let server: net.Server | null = null;
  let port = 0;

  const onConnection = (socket: net.Socket): void => {
    sockets.add(socket);
    const chunks: Buffer[] = [];
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      if (chunks.length === 0) return; // a reachability probe
      const bytes = Buffer.concat(chunks);
      jobs += 1;
      const n = numberOf(bytes);
      if (n === null) torn.push(bytes);
      else numbers.push(n);
      if (n !== null && stallAt !== null && jobs > stallAt) {
        stallAt = null;
        stalledNumber = n;
        return; // never close: the gateway keeps waiting for the printer's confirmation
      }
      socket.end();
    };
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', record);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      record();
      sockets.delete(socket);
    });
  };
  const listen = async (): Promise<void> => {
    const next = net.createServer({ allowHalfOpen: true }, onConnection);
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as net.AddressInfo).port;
    server = next;
  };
  const stopListening = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const current = server;
      server = null;
      if (!current) return resolve();
      current.close(() => resolve());
    });

  await listen();
  return {
    port,
    uri: `socket://127.0.0.1:${port}`,
    numbers: () => [...numbers],
    torn: () => [...torn],
    jobCount: () => jobs,
    stallAfter: (after) => {
      stallAt = after;
    },
    stalled: () => stalledNumber,
    goAway: async () => {
      // server.close() resolves once the connections on the wire have ended by themselves.
      await stopListening();
    },
    comeBack: listen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await stopListening();
    },
  };
}

interface JobView {
  id: string;
  printerId: string;
  state: string;
  stateReason: string | null;
}

/** Every job the gateway knows, oldest first (the API lists newest first, by queue order). */
async function allJobs(url: string, key: string): Promise<JobView[]> {
  const jobs: JobView[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${cursor}`;
    const answer = await fetch(`${url}/api/v1/jobs?limit=200${query}`, { headers: { authorization: `Bearer ${key}` } });
    if (answer.status !== 200) throw new Error(`GET /api/v1/jobs answered ${answer.status}`);
    const page = (await answer.json()) as { data: JobView[]; next: string | null };
    jobs.push(...page.data);
    cursor = page.next;
  } while (cursor !== null);
  return jobs.reverse();
}

/** The one printer's state as the native API shows it. */
async function printerStatus(url: string, key: string): Promise<{ state: string; reasons: string[]; queuedJobs: number }> {
  const answer = await fetch(`${url}/api/v1/printers`, { headers: { authorization: `Bearer ${key}` } });
  if (answer.status !== 200) throw new Error(`GET /api/v1/printers answered ${answer.status}`);
  const { data } = (await answer.json()) as { data: { state: string; reasons: string[]; queuedJobs: number }[] };
  if (data.length !== 1) throw new Error(`expected one printer, got ${data.length}`);
  return data[0]!;
}

/** The gateway under test: a child process that can be killed and started again on its data dir. */
class Gateway {
  serve: ServeProcess | null = null;
  constructor(readonly configFile: string) {}

  async start(): Promise<void> {
    this.serve = await startServe(this.configFile);
  }

  get url(): string | null {
    return this.serve && this.serve.child.exitCode === null && this.serve.child.signalCode === null ? this.serve.url : null;
  }

  /** Log lines of the runs that were stopped. */
  readonly earlierLines: Record<string, unknown>[] = [];
  exitCodes: (number | null)[] = [];

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const serve = this.serve;
    this.serve = null;
    if (!serve) return;
    this.exitCodes.push(await serve.stop(signal));
    this.earlierLines.push(...serve.lines());
  }

  /** The log lines of the current run. */
  lines(): Record<string, unknown>[] {
    return this.serve?.lines() ?? [];
  }
}

/**
 * Submits jobs 0..JOBS-1 with CLIENTS concurrent clients, each with an Idempotency-Key, retrying a
 * request until it gets its 201 (across a crash and restart: the key makes a retry of a request
 * the gateway had already committed a replay, not a second job). Returns job number → JobId.
 */
async function burst(
  gateway: Gateway,
  key: string,
  printerFor: (n: number) => string,
  hooks: { before?: (n: number) => Promise<void>; onAccepted?: (accepted: number) => void },
  deadlineMs: number,
): Promise<Map<number, string>> {
  const accepted = new Map<number, string>();
  const deadline = Date.now() + deadlineMs;
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < JOBS) {
      const n = next;
      next += 1;
      await hooks.before?.(n);
      const document = body(n);
      for (;;) {
        if (Date.now() > deadline) throw new Error(`job ${n} not accepted within ${deadlineMs} ms`);
        const url = gateway.url;
        if (url === null) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        try {
          const answer = await fetch(`${url}/v1/a/chaos/d/${printerFor(n)}/q`, {
            method: 'POST',
            headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream', 'idempotency-key': `chaos-${n}` },
            body: document,
            signal: AbortSignal.timeout(10_000),
          });
          const answerBody = (await answer.json()) as { JobId?: string };
          if (answer.status === 201 && answerBody.JobId) {
            accepted.set(n, answerBody.JobId);
            hooks.onAccepted?.(accepted.size);
            break;
          }
          if (answer.status < 500) throw new Error(`job ${n}: the gateway answered ${answer.status} ${JSON.stringify(answerBody)}`);
        } catch (error) {
          if (error instanceof Error && error.message.startsWith(`job ${n}:`)) throw error;
          // The gateway died under this request: it may or may not have committed it. Retry.
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  return accepted;
}

/** Bounds a wait that has no polling of its own. */

/** Even jobs go to printer a, odd ones to b. */
const printerOf = (n: number): 'a' | 'b' => (n % 2 === 0 ? 'a' : 'b');

function counts(numbers: number[]): Map<number, number> {
  const seen = new Map<number, number>();
  for (const n of numbers) seen.set(n, (seen.get(n) ?? 0) + 1);
  return seen;
}

/** The order in which numbers first arrived (a reprint repeats a number in place). */
function firstArrivals(numbers: number[]): number[] {
  return [...new Set(numbers)];
}

const gateways: Gateway[] = [];
const sinks: ChaosSink[] = [];

afterEach(async () => {
  for (const gateway of gateways.splice(0)) await gateway.kill().catch(() => undefined);
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
});

async function sink(): Promise<ChaosSink> {
  const started = await startChaosSink();
  sinks.push(started);
  return started;
}

function chaosConfig(printers: { appId: string; uri: string }[], jobs: Record<string, unknown> = {}): { file: string; dataDir: string } {
  return writeConfig({
    server: { host: '127.0.0.1', port: 0, shutdownGraceSeconds: 1 },
    jobs: { retryInitialMs: 50, retryMaxMs: 300, confirmTimeoutMs: 60_000, ...jobs },
    limits: { perKey: { ratePerSecond: 100_000, burst: 100_000 } },
    printers: printers.map((printer) => ({ name: printer.appId, group: 'chaos', appId: printer.appId, uri: printer.uri, language: 'raw' })),
  });
}

/** The documents in the spool: one per job, nothing left over from requests the crash cut short. */
function spooled(dataDir: string): string[] {
  return readdirSync(path.join(dataDir, 'spool')).sort();
}

function createKey(file: string): string {
  const result = runCli(['keys', 'create', '--config', file, '--name', 'chaos', '--permissions', 'PrintToDevice,ViewJobs,EnumDevices', '--json']);
  if (result.status !== 0) throw new Error(`keys create failed: ${result.stderr}`);
  return (JSON.parse(result.stdout) as { key: string }).key;
}

/**
 * kill -9 in the middle of a burst to two printers, each holding one job on the wire at the
 * moment of the kill; restart on the same data directory; count every job at the printers.
 */
async function killMidBurst(policy: 'reprint' | 'hold', signal: NodeJS.Signals = 'SIGKILL') {
  const printers = { a: await sink(), b: await sink() };
  const { file, dataDir } = chaosConfig(
    [
      { appId: 'a', uri: printers.a.uri },
      { appId: 'b', uri: printers.b.uri },
    ],
    { inFlightAfterRestart: policy },
  );
  const key = createKey(file);
  const gateway = new Gateway(file);
  gateways.push(gateway);
  await gateway.start();
  // Each printer takes 10 jobs, then holds the 11th on the wire (received, never confirmed).
  printers.a.stallAfter(10);
  printers.b.stallAfter(10);

  let killed = false;
  let acceptedAtKill = 0;
  let restart: Promise<void> | null = null;
  // The second half of the burst is submitted only once both printers hold a job on the wire, and
  // the kill comes while it is being submitted.
  const before = async (n: number): Promise<void> => {
    if (n < JOBS / 2) return;
    await waitFor('both printers to hold a job on the wire', () => printers.a.stalled() !== null && printers.b.stalled() !== null, 30_000);
  };
  const onAccepted = (accepted: number): void => {
    if (killed || accepted < JOBS / 2 + 20) return;
    killed = true;
    acceptedAtKill = accepted;
    restart = gateway.kill(signal).then(() => gateway.start());
  };
  const accepted = await burst(gateway, key, printerOf, { before, onAccepted }, 120_000);
  expect(killed, 'the kill -9 happened during the burst').toBe(true);
  await within(restart!, 30_000, 'the restart');
  expect(acceptedAtKill).toBeGreaterThanOrEqual(JOBS / 2);
  expect(acceptedAtKill).toBeLessThan(JOBS);
  expect(accepted.size).toBe(JOBS);

  const url = gateway.url as string;
  const stuck = [printers.a.stalled(), printers.b.stalled()] as number[];
  const settled = policy === 'reprint' ? ['completed'] : ['completed', 'held'];
  const jobs = await waitFor(
    'every accepted job to finish',
    async () => {
      const all = await allJobs(url, key);
      return all.length >= JOBS && all.every((job) => settled.includes(job.state)) ? all : null;
    },
    120_000,
    200,
  );
  return { printers, accepted, jobs, stuck, gateway, dataDir };
}

describe('chaos: kill -9 in the middle of a burst', () => {
  it(`loses no accepted job of ${JOBS}, and reprints only the jobs on the wire (inFlightAfterRestart: reprint)`, async () => {
    const { printers, accepted, jobs, stuck, dataDir } = await killMidBurst('reprint');
    // One job per request: the retries across the crash were replays, not new jobs.
    expect(jobs).toHaveLength(JOBS);
    expect(new Set(jobs.map((job) => job.id))).toEqual(new Set(accepted.values()));
    const byId = new Map(jobs.map((job) => [job.id, job]));
    const numberOfId = new Map([...accepted].map(([n, id]) => [id, n]));

    for (const [name, printer] of Object.entries(printers)) {
      expect(printer.torn(), `torn jobs at printer ${name}`).toEqual([]);
      const seen = counts(printer.numbers());
      for (const n of accepted.keys()) {
        const times = seen.get(n) ?? 0;
        if (printerOf(n) !== name) expect(times, `job ${n} at the wrong printer ${name}`).toBe(0);
        else if (stuck.includes(n)) expect(times, `job ${n} was on the wire at the kill`).toBe(2);
        else expect(times, `job ${n} at printer ${name}`).toBe(1);
      }
      // FIFO: the printer saw its jobs in queue order (the reprint repeats in place).
      const queueOrder = jobs.map((job) => numberOfId.get(job.id)!).filter((n) => printerOf(n) === name);
      expect(firstArrivals(printer.numbers())).toEqual(queueOrder);
    }
    // Repeats: at most one per printer, and each says why.
    const repeated = [...counts([...printers.a.numbers(), ...printers.b.numbers()])].filter(([, times]) => times > 1).map(([n]) => n);
    expect(repeated.sort((x, y) => x - y)).toEqual([...stuck].sort((x, y) => x - y));
    for (const n of stuck) expect(byId.get(accepted.get(n)!)).toMatchObject({ state: 'completed', stateReason: 'reprinted-after-restart' });
    expect(jobs.filter((job) => job.stateReason === 'reprinted-after-restart')).toHaveLength(2);
    // A request the kill cut short left no file behind (small documents live in their job's row).
    expect(spooled(dataDir).filter((name) => !name.endsWith('.doc'))).toEqual([]);
    expect(spooled(dataDir)).toHaveLength(0);
  }, 300_000);

  it('prints nothing twice with inFlightAfterRestart: hold; the jobs on the wire wait in held', async () => {
    const { printers, accepted, jobs, stuck } = await killMidBurst('hold');
    expect(jobs).toHaveLength(JOBS);
    const byId = new Map(jobs.map((job) => [job.id, job]));
    const all = [...printers.a.numbers(), ...printers.b.numbers()];
    expect(printers.a.torn()).toEqual([]);
    expect(printers.b.torn()).toEqual([]);
    const seen = counts(all);
    for (const n of accepted.keys()) expect(seen.get(n), `job ${n}`).toBe(1);
    expect(all).toHaveLength(JOBS);
    for (const [n, id] of accepted) {
      const job = byId.get(id);
      if (stuck.includes(n)) expect(job).toMatchObject({ state: 'held', stateReason: 'held-after-restart' });
      else expect(job?.state, `job ${n}`).toBe('completed');
    }
  }, 300_000);
});

describe('chaos: SIGTERM in the middle of a burst', () => {
  it('stops cleanly (exit 0), re-queues the jobs on the wire, and loses no accepted job', async () => {
    const { printers, accepted, jobs, stuck, gateway } = await killMidBurst('reprint', 'SIGTERM');
    expect(gateway.exitCodes).toEqual([0]);
    expect(gateway.earlierLines.filter((line) => line.msg === 'job re-queued on shutdown')).toHaveLength(2);
    expect(jobs).toHaveLength(JOBS);
    expect(jobs.every((job) => job.state === 'completed')).toBe(true);
    expect(printers.a.torn()).toEqual([]);
    expect(printers.b.torn()).toEqual([]);
    // The printers never confirmed the jobs they held, so those were sent again after the restart;
    // every other job exactly once.
    const seen = counts([...printers.a.numbers(), ...printers.b.numbers()]);
    for (const n of accepted.keys()) expect(seen.get(n), `job ${n}`).toBe(stuck.includes(n) ? 2 : 1);
  }, 300_000);
});

describe('chaos: a printer that goes away mid-burst and comes back', () => {
  it('prints every job exactly once, in queue order, once the printer is back on the same port', async () => {
    const printer = await sink();
    const { file } = chaosConfig([{ appId: 'a', uri: printer.uri }]);
    const key = createKey(file);
    const gateway = new Gateway(file);
    gateways.push(gateway);
    await gateway.start();

    // The printer goes away after 30 jobs; the burst goes on meanwhile (the second half is
    // submitted while it is away).
    let outage: Promise<void> | null = null;
    const before = async (n: number): Promise<void> => {
      if (n < JOBS / 2) return;
      await waitFor('the printer to take 30 jobs', () => printer.jobCount() >= 30, 30_000);
      outage ??= printer.goAway();
    };
    const accepted = await burst(gateway, key, () => 'a', { before }, 120_000);
    expect(outage).not.toBeNull();
    await outage;
    const url = gateway.url as string;
    // The printer is reported stopped/offline while its jobs wait.
    await waitFor('the printer to be reported offline', () => gateway.lines().some((line) => line.msg === 'printer offline; jobs wait until it answers'), 20_000);
    const waiting = await allJobs(url, key);
    expect(waiting.filter((job) => job.state === 'pending').length).toBeGreaterThan(0);
    expect(waiting.some((job) => ['aborted', 'canceled', 'held'].includes(job.state))).toBe(false);
    expect(await printerStatus(url, key)).toMatchObject({ state: 'stopped', reasons: ['offline'] });

    await printer.comeBack();
    const jobs = await waitFor(
      'every job to complete',
      async () => {
        const all = await allJobs(url, key);
        return all.length === JOBS && all.every((job) => job.state === 'completed') ? all : null;
      },
      120_000,
      200,
    );
    expect(printer.torn()).toEqual([]);
    const numberOfId = new Map([...accepted].map(([n, id]) => [id, n]));
    expect(printer.numbers()).toEqual(jobs.map((job) => numberOfId.get(job.id)));
    expect(new Set(printer.numbers()).size).toBe(JOBS);
    // Logged once at error while it was away, then quietly; and once when it came back.
    expect(gateway.lines().filter((line) => line.msg === 'printer offline; jobs wait until it answers')).toHaveLength(1);
    expect(gateway.lines().some((line) => line.msg === 'printer back online')).toBe(true);
    expect(await printerStatus(url, key)).toMatchObject({ state: 'idle', reasons: [], queuedJobs: 0 });
  }, 300_000);
});
