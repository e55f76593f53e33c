import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/config/load-config.js';
import { openDatabase } from '../src/db/open-database.js';
import { KeyStore } from '../src/keys/key-store.js';
import { createLogger } from '../src/log/create-logger.js';
import { startGateway } from '../src/main.js';
import { startCountingSink } from './peers/counting-sink.js';
import { startPrivateCupsd } from './peers/private-cupsd.js';

const JOBS = 200;
const DOCUMENT = Buffer.from('Table 4\n2 x Soup        9.80\n1 x Bread       2.10\n\nTotal          11.90\n');
const TIMEOUT_MS = 120_000;

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

function sendDirect(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.end(DOCUMENT));
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

/** 200 receipts to a raw 9100 printer: straight to the socket, through printgate, through CUPS — same run. */
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
          () =>
            new Promise<void>((resolve, reject) => {
              printer.execute(
                'Print-Job',
                {
                  'operation-attributes-tag': { 'requesting-user-name': 'bench', 'job-name': 'receipt', 'document-format': 'application/octet-stream' },
                  data: DOCUMENT,
                },
                (error, response) => (error ? reject(error) : response?.statusCode.startsWith('successful') ? resolve() : reject(new Error(response?.statusCode))),
              );
            }),
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
  return lines;
}
