import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/config/load-config.js';
import { openDatabase } from '../src/db/open-database.js';
import { KeyStore } from '../src/keys/key-store.js';
import { createLogger } from '../src/log/create-logger.js';
import { startGateway } from '../src/main.js';
import { startCountingSink, type CountingSink } from './peers/counting-sink.js';
import { startPrivateCupsd } from './peers/private-cupsd.js';

const JOBS = 200;
const DOCUMENT = Buffer.from('Table 4\n2 x Soup        9.80\n1 x Bread       2.10\n\nTotal          11.90\n');
const TIMEOUT_MS = 120_000;
/** Latency: receipts sent one at a time, each waited for at the sink before the next (no queueing). */
const LATENCY_JOBS = 200;
const LATENCY_WARMUP = 20;
const CLI = path.resolve(import.meta.dirname, '../src/cli.js');

interface IppHandle {
  execute(op: string, msg: Record<string, unknown>, cb: (err: Error | null, res: { statusCode: string } | null) => void): void;
}
const ipp = createRequire(import.meta.url)('@sealsystems/ipp') as { Printer: new (url: string, opts: { timeout: number }) => IppHandle };

async function timed(label: string, submit: (i: number) => Promise<void>, waitDelivered: () => Promise<void>, concurrency: number) {
  const started = process.hrtime.bigint();
  let next = 0;
  const workers = Array.from({ length: concurrency }, async () => {
    while (next < JOBS) {
      const i = next;
      next += 1;
      await submit(i);
    }
  });
  await Promise.all(workers);
  const accepted = Number(process.hrtime.bigint() - started) / 1e6;
  await waitDelivered();
  const delivered = Number(process.hrtime.bigint() - started) / 1e6;
  return { label, concurrency, acceptedMs: accepted, deliveredMs: delivered, jobsPerSecond: (JOBS * 1000) / delivered };
}

function sendDirect(port: number, document: Buffer = DOCUMENT): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.end(document));
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

function ippPrint(printer: IppHandle, document: Buffer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    printer.execute(
      'Print-Job',
      {
        'operation-attributes-tag': { 'requesting-user-name': 'bench', 'job-name': 'receipt', 'document-format': 'application/octet-stream' },
        data: document,
      },
      (error, response) => (error ? reject(error) : response?.statusCode.startsWith('successful') ? resolve() : reject(new Error(response?.statusCode))),
    );
  });
}

/** A receipt whose first line tags it, so the sink can tell when its last byte arrived. */
function tagged(tag: string): Buffer {
  return Buffer.concat([Buffer.from(`#${tag}\n`), DOCUMENT]);
}

interface Latency {
  label: string;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** p50 of the time until the submit itself returned (HTTP 201, IPP response, socket closed). */
  answerP50: number;
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}

/**
 * End-to-end latency of one path: the time from starting the submit (HTTP request, IPP request,
 * TCP connect) to the last byte of that job at the raw sink, one job at a time.
 */
async function latencyOf(label: string, sink: CountingSink, submit: (document: Buffer) => Promise<void>): Promise<Latency> {
  const samples: number[] = [];
  const answers: number[] = [];
  for (let i = 0; i < LATENCY_WARMUP + LATENCY_JOBS; i += 1) {
    const tag = `${label}-${i}`;
    const started = performance.now();
    const arrived = sink.waitForTagged(tag, TIMEOUT_MS);
    await submit(tagged(tag));
    const answered = performance.now();
    const lastByte = await arrived;
    if (i >= LATENCY_WARMUP) {
      samples.push(lastByte - started);
      answers.push(answered - started);
    }
  }
  samples.sort((a, b) => a - b);
  answers.sort((a, b) => a - b);
  return {
    label,
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: samples.at(-1) ?? Number.NaN,
    answerP50: percentile(answers, 50),
  };
}

/** printgate as it runs in production: its own process (`serve`), JSON logs at info on a pipe. */
async function startServeProcess(sinkUri: string): Promise<{ url: string; key: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'printgate-bench-serve-'));
  const file = path.join(dir, 'printgate.yaml');
  writeFileSync(
    file,
    JSON.stringify({
      dataDir: path.join(dir, 'var'),
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'info' },
      discovery: { interfaces: [], serial: false, usb: false },
      limits: { perKey: { ratePerSecond: 100_000, burst: 100_000 }, maxQueuedJobs: 100_000 },
      printers: [{ name: 'Bench', group: 'bench', appId: 'bench01', uri: sinkUri, language: 'raw' }],
    }),
  );
  const env = { ...process.env, PRINTGATE_CONFIG: '' };
  const created = spawnSync(process.execPath, [CLI, 'keys', 'create', '--config', file, '--name', 'bench', '--permissions', 'PrintToDevice', '--json'], {
    encoding: 'utf8',
    env,
    timeout: 30_000,
  });
  if (created.status !== 0) throw new Error(`printgate keys create failed: ${created.stderr}`);
  const { key } = JSON.parse(created.stdout) as { key: string };
  const child = spawn(process.execPath, [CLI, 'serve', '--config', file], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve, reject) => {
    let pending = '';
    const timer = setTimeout(() => reject(new Error('printgate serve did not listen within 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`printgate serve exited with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const match = /"msg":"listening"/.test(pending) ? /"url":"([^"]+)"/.exec(pending.split('\n').find((line) => line.includes('"msg":"listening"')) ?? '') : null;
      if (match?.[1]) {
        clearTimeout(timer);
        pending = '';
        resolve(match[1].replace('0.0.0.0', '127.0.0.1'));
      } else if (pending.length > 65_536) {
        pending = pending.slice(-4096);
      }
    });
  });
  return {
    url,
    key,
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Latency of the three paths to the same kind of raw sink, in one run. */
async function latencyBench(lines: string[]): Promise<void> {
  const results: Latency[] = [];
  {
    const sink = await startCountingSink();
    results.push(await latencyOf('bare socket', sink, (document) => sendDirect(sink.port, document)));
    await sink.close();
  }
  {
    const sink = await startCountingSink();
    const gateway = await startServeProcess(sink.uri);
    const url = `${gateway.url}/v1/a/bench/d/bench01/q`;
    try {
      results.push(
        await latencyOf('printgate', sink, async (document) => {
          const answer = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${gateway.key}`, 'content-type': 'text/plain' }, body: document });
          if (answer.status !== 201) throw new Error(`printgate answered ${answer.status}`);
          await answer.arrayBuffer();
        }),
      );
    } finally {
      await gateway.stop();
      await sink.close();
    }
  }
  if (process.getuid?.() === 0) {
    const sink = await startCountingSink();
    const cups = await startPrivateCupsd(16640, sink.uri);
    try {
      const printer = new ipp.Printer(cups.printerUrl, { timeout: 30_000 });
      results.push(await latencyOf('CUPS', sink, (document) => ippPrint(printer, document)));
    } finally {
      await cups.stop();
      await sink.close();
    }
  }

  lines.push(`end-to-end latency: ${LATENCY_JOBS} receipts one at a time (after ${LATENCY_WARMUP} warm-up), from submit to the last byte at a raw 9100 sink`);
  lines.push('  path                      p50(ms)   p95(ms)   p99(ms)   max(ms)   answered p50(ms)');
  for (const r of results) {
    lines.push(`  ${r.label.padEnd(24)} ${[r.p50, r.p95, r.p99, r.max, r.answerP50].map((v) => v.toFixed(2).padStart(9)).join(' ')}`);
  }
  const find = (label: string): Latency | undefined => results.find((r) => r.label === label);
  const ratio = (a: Latency, b: Latency): string => (['p50', 'p95', 'p99'] as const).map((p) => `${p} ${(a[p] / b[p]).toFixed(2)}x`).join(', ');
  const ours = find('printgate');
  const bare = find('bare socket');
  const cups = find('CUPS');
  if (ours && bare) lines.push(`  printgate / bare socket: ${ratio(ours, bare)}`);
  if (ours && cups) lines.push(`  printgate / CUPS:        ${ratio(ours, cups)}  (below 1 = printgate is faster)`);
  if (!cups) lines.push('  CUPS latency skipped: cupsd needs root to drop to user lp (run npm run bench as root)');
  lines.push('  (printgate runs as its own serve process with info logs on a pipe, like CUPS; every job is fsync\'d to the spool and committed before its 201)');
}

/**
 * 200 receipts to a raw 9100 printer: straight to the socket, through printgate, through CUPS — same
 * run. Then end-to-end latency of each path (submit → last byte at the sink) as percentiles and ratios.
 */
export async function printBench(): Promise<string[]> {
  const lines: string[] = [];
  const results: Awaited<ReturnType<typeof timed>>[] = [];

  // Floor: straight to the socket.
  {
    const sink = await startCountingSink();
    results.push(await timed('direct socket', () => sendDirect(sink.port), () => sink.waitForJobs(JOBS, TIMEOUT_MS), 1));
    await sink.close();
  }

  // printgate, sequential (a POS) and 8 clients at once.
  for (const concurrency of [1, 8]) {
    const sink = await startCountingSink();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'printgate-bench-'));
    const config = parseConfig({
      dataDir,
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      limits: { perKey: { ratePerSecond: 100_000, burst: 100_000 }, maxQueuedJobs: 100_000 },
      printers: [{ name: 'Bench', group: 'bench', appId: 'bench01', uri: sink.uri, language: 'raw' }],
    });
    const gateway = await startGateway({ config, log: createLogger({ level: 'silent' }) });
    const db = openDatabase({ dataDir });
    const { key } = new KeyStore({ db, now: () => new Date() }).create({ name: 'bench', permissions: ['PrintToDevice'] });
    db.close();
    const url = `${gateway.url}/v1/a/bench/d/bench01/q`;
    results.push(
      await timed(
        'printgate',
        async () => {
          const answer = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' }, body: DOCUMENT });
          if (answer.status !== 201) throw new Error(`printgate answered ${answer.status}`);
          await answer.arrayBuffer();
        },
        () => sink.waitForJobs(JOBS, TIMEOUT_MS),
        concurrency,
      ),
    );
    await gateway.stop();
    await sink.close();
    rmSync(dataDir, { recursive: true, force: true });
  }

  // CUPS 2.4, raw queue, IPP Print-Job (root only: cupsd runs as lp).
  if (process.getuid?.() === 0) {
    for (const concurrency of [1, 8]) {
      const sink = await startCountingSink();
      const cups = await startPrivateCupsd(16631 + concurrency, sink.uri);
      const printer = new ipp.Printer(cups.printerUrl, { timeout: 30_000 });
      results.push(
        await timed(
          'CUPS (IPP Print-Job)',
          () => ippPrint(printer, DOCUMENT),
          () => sink.waitForJobs(JOBS, TIMEOUT_MS),
          concurrency,
        ),
      );
      await cups.stop();
      await sink.close();
    }
  } else {
    lines.push('CUPS comparison skipped: cupsd needs root to drop to user lp (run npm run bench as root)');
  }

  lines.push(`print throughput: ${JOBS} receipts of ${DOCUMENT.length} bytes to a raw 9100 printer on loopback`);
  lines.push('  path                     clients  accepted(ms)  delivered(ms)  jobs/s');
  for (const r of results) {
    lines.push(
      `  ${r.label.padEnd(24)} ${String(r.concurrency).padStart(7)}  ${r.acceptedMs.toFixed(0).padStart(12)}  ${r.deliveredMs.toFixed(0).padStart(13)}  ${r.jobsPerSecond.toFixed(0).padStart(6)}`,
    );
  }
  for (const concurrency of [1, 8]) {
    const ours = results.find((r) => r.label === 'printgate' && r.concurrency === concurrency);
    const cups = results.find((r) => r.label.startsWith('CUPS') && r.concurrency === concurrency);
    if (ours && cups) lines.push(`  printgate vs CUPS, ${concurrency} client(s): ${(ours.jobsPerSecond / cups.jobsPerSecond).toFixed(2)}x the delivered jobs/s`);
  }
  const direct = results.find((r) => r.label === 'direct socket');
  const seq = results.find((r) => r.label === 'printgate' && r.concurrency === 1);
  if (direct && seq) lines.push(`  printgate overhead per job over a bare socket: ${((seq.deliveredMs - direct.deliveredMs) / JOBS).toFixed(2)} ms (fsync'd spool + SQLite commit + HTTP)`);
  lines.push('');
  await latencyBench(lines);
  return lines;
}
