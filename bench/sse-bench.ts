import { readFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { openDatabase } from '../src/db/open-database.js';
import { KeyStore } from '../src/keys/key-store.js';
import type { Benchmark } from './benchmark.js';
import { GatewayProcess, percentile, writeConfig } from './harness/gateway-process.js';
import { sampleHealth } from './harness/http-call.js';

/**
 * Event streams against printing, in one run of a `printgate serve` process: a burst of receipts
 * with no stream open, then the same burst while 1000 streams (250 keys × limits.streams.perKey)
 * read every event — the time until the last receipt is at the printer, /healthz p99 during each,
 * and whether every stream saw every job complete. Then 1000 streams asked for on one key: the cap
 * answers all but limits.streams.perKey with 429. (Before the caps and the in-memory fan-out, 1000
 * streams on one key made a 300-job burst take 60 s instead of 4.6 s and /healthz time out.)
 */

const JOBS = 300;
const STREAMS = 1000;
const PER_KEY = 4;
const CONCURRENCY = 8;
const DOCUMENT = Buffer.from('Table 4\n2 x Soup        9.80\n1 x Bread       2.10\n\nTotal          11.90\n');
const DEADLINE_MS = 240_000;

/** A raw 9100 printer that counts the bytes it was sent. */
async function byteSink(): Promise<{ uri: string; bytes(): number; close(): Promise<void> }> {
  let bytes = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.on('end', () => socket.end());
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    uri: `socket://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    bytes: () => bytes,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

interface Reader {
  status: number;
  /** `"state":"completed"` frames seen. */
  completed: number;
  close(): void;
}

/** One SSE client that reads everything and counts completed jobs (across chunk boundaries). */
function openStream(url: string, key: string, agent: http.Agent): Promise<Reader> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/api/v1/events`, { agent, headers: { authorization: `Bearer ${key}` } }, (res) => {
      const reader: Reader = { status: res.statusCode ?? 0, completed: 0, close: () => req.destroy() };
      let tail = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const text = tail + chunk;
        reader.completed += text.split('"state":"completed"').length - 1;
        tail = text.slice(-20);
      });
      res.on('error', () => undefined);
      resolve(reader);
    });
    req.on('error', reject);
  });
}

/** CPU seconds a process has used (user + system), from /proc; 0 where there is none. */
function cpuSeconds(pid: number | null): number {
  if (pid === null) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

async function burst(url: string, key: string, sink: { bytes(): number }, deadline: number): Promise<number> {
  const before = sink.bytes();
  const started = performance.now();
  let next = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < JOBS) {
        next += 1;
        const answer = await fetch(`${url}/v1/a/bench/d/bench01/q`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' }, body: DOCUMENT });
        if (answer.status !== 201) throw new Error(`print answered ${answer.status}`);
        await answer.arrayBuffer();
      }
    }),
  );
  agent.destroy();
  while (sink.bytes() - before < JOBS * DOCUMENT.length) {
    if (Date.now() > deadline) throw new Error(`the burst did not reach the printer before the deadline (${DEADLINE_MS} ms)`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return performance.now() - started;
}

export const sseBench: Benchmark = {
  name: 'sse',
  description: `a ${JOBS}-receipt burst with no event stream, then with ${STREAMS} streams reading (${STREAMS / PER_KEY} keys x ${PER_KEY}); ${STREAMS} streams asked for on one key`,
  async run(report, note) {
    const deadline = Date.now() + DEADLINE_MS;
    const sink = await byteSink();
    const config = writeConfig(
      {
        server: { host: '127.0.0.1', port: 0, maxConnectionsPerClient: STREAMS + 200 },
        log: { level: 'info' },
        discovery: { interfaces: [], serial: false, usb: false },
        limits: { perKey: { ratePerSecond: 1e6, burst: 1e6 }, maxQueuedJobs: 100_000, streams: { perKey: PER_KEY, total: STREAMS } },
        printers: [{ name: 'Bench', group: 'bench', appId: 'bench01', uri: sink.uri, language: 'raw' }],
      },
      'printgate-sse-bench-',
    );
    const db = openDatabase({ dataDir: config.dataDir });
    const store = new KeyStore({ db, now: () => new Date() });
    const printer = store.create({ name: 'till', permissions: ['PrintToDevice'] }).key;
    const viewers = Array.from({ length: STREAMS / PER_KEY }, (_, i) => store.create({ name: `screen ${i}`, permissions: ['ViewJobs'] }).key);
    db.close();
    const gateway = new GatewayProcess(config.file);
    const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
    const readers: Reader[] = [];
    try {
      await gateway.start();
      const url = gateway.url;
      await burst(url, printer, sink, deadline); // warm-up

      const quiet = sampleHealth(() => url, 50);
      let cpu = cpuSeconds(gateway.pid);
      const alone = await burst(url, printer, sink, deadline);
      const aloneCpu = cpuSeconds(gateway.pid) - cpu;
      const quietHealth = await quiet.stop();

      for (const key of viewers) for (let i = 0; i < PER_KEY; i += 1) readers.push(await openStream(url, key, agent));
      const open = readers.filter((reader) => reader.status === 200).length;
      const busy = sampleHealth(() => url, 50);
      cpu = cpuSeconds(gateway.pid);
      const withStreams = await burst(url, printer, sink, deadline);
      const streamsCpu = cpuSeconds(gateway.pid) - cpu;
      const busyHealth = await busy.stop();
      // Every stream should see every job of the burst complete (bounded wait for the last frames).
      while (readers.some((reader) => reader.completed < JOBS) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      const complete = readers.filter((reader) => reader.completed >= JOBS).length;
      for (const reader of readers.splice(0)) reader.close();

      let refused = 0;
      let accepted = 0;
      const one = viewers[0]!;
      await new Promise((resolve) => setTimeout(resolve, 500));
      for (let i = 0; i < STREAMS; i += 1) {
        const reader = await openStream(url, one, agent);
        if (reader.status === 429) refused += 1;
        else if (reader.status === 200) accepted += 1;
        if (reader.status === 200) readers.push(reader);
        else reader.close();
      }

      report({ label: `${JOBS}-receipt burst, no stream open`, value: alone, unit: 'ms' });
      report({ label: `${JOBS}-receipt burst, ${open} streams reading`, value: withStreams, unit: 'ms' });
      report({ label: 'burst time with the streams / without', value: withStreams / alone, unit: 'x' });
      report({ label: 'gateway CPU for the burst, no stream', value: aloneCpu, unit: 's' });
      report({ label: `gateway CPU for the burst, ${open} streams`, value: streamsCpu, unit: 's' });
      report({ label: '/healthz p99 during the burst, no stream', value: percentile(quietHealth.ms, 99), unit: 'ms' });
      report({ label: `/healthz p99 during the burst, ${open} streams`, value: percentile(busyHealth.ms, 99), unit: `ms (${busyHealth.failures} failed)` });
      report({ label: `streams that saw all ${JOBS} jobs complete`, value: complete, unit: `of ${open}` });
      report({ label: `${STREAMS} streams asked for on one key: refused 429`, value: refused, unit: `(${accepted} opened)` });
      note('Before the caps and the in-memory fan-out (a key read per stream per event), 1000 streams on one key made');
      note('a 300-job burst take 60 s instead of 4.6 s and /healthz time out.');
    } finally {
      for (const reader of readers) reader.close();
      agent.destroy();
      await gateway.kill('SIGTERM').catch(() => gateway.kill('SIGKILL'));
      await sink.close();
      config.remove();
    }
  },
};
