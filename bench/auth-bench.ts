import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseConfig } from '../src/config/load-config.js';
import { openDatabase } from '../src/db/open-database.js';
import { Authenticator } from '../src/keys/authenticator.js';
import { KeyStore } from '../src/keys/key-store.js';
import { createLogger } from '../src/log/create-logger.js';
import { startGateway } from '../src/main.js';
import type { Benchmark } from './benchmark.js';
import { benchNumber } from './harness/bench-env.js';
import { measureAuthShare } from './engine/auth-share.js';

/**
 * The cost of authentication: requests per second on GET /healthz (no key) against GET /api/v1/me
 * (a Bearer key: format check, SHA-256, indexed SQLite lookup, state, rate limiter, permission) in
 * the same run, over keep-alive HTTP on loopback. Bounded by request count and by a deadline.
 */

const REQUESTS = Math.round(benchNumber('BENCH_REQUESTS', 4000, 500));
const ROUNDS = 5;
const CONCURRENCY = 8;
const DEADLINE_MS = 120_000;

function get(agent: http.Agent, url: URL, route: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: url.hostname, port: url.port, path: route, headers, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${route} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** `count` requests with `CONCURRENCY` in flight; returns requests per second. */
async function measure(agent: http.Agent, url: URL, route: string, headers: Record<string, string>, count: number, deadline: number): Promise<number> {
  let sent = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (sent < count) {
      sent += 1;
      const status = await get(agent, url, route, headers);
      if (status !== 200) throw new Error(`GET ${route} answered ${status}`);
      if (Date.now() > deadline) throw new Error(`the auth benchmark ran past ${DEADLINE_MS} ms`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return count / ((performance.now() - started) / 1000);
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export const authBench: Benchmark = {
  name: 'auth',
  description: `authentication's cost: in-process gateway (${REQUESTS} requests × ${ROUNDS} rounds, ${CONCURRENCY} keep-alive connections), then its share of a print request on the serve process`,
  async run(report, note) {
    const deadline = Date.now() + DEADLINE_MS;
    const dataDir = mkdtempSync(path.join(tmpdir(), 'printgate-bench-'));
    const config = parseConfig({
      dataDir,
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'silent' },
      discovery: { interfaces: [], serial: false, usb: false },
      // The limiter stays on the path; only its budget is raised so the benchmark measures its cost, not its 429s.
      limits: { perKey: { ratePerSecond: 1e9, burst: 1e9 } },
    });
    const gateway = await startGateway({ config, log: createLogger({ level: 'silent' }) });
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const db = openDatabase({ dataDir });
    try {
      const store = new KeyStore({ db, now: () => new Date() });
      const { key } = store.create({ name: 'bench', permissions: ['ViewJobs'] });
      const url = new URL(gateway.url);
      const bearer = { authorization: `Bearer ${key}` };
      await measure(agent, url, '/healthz', {}, 500, deadline);
      await measure(agent, url, '/api/v1/me', bearer, 500, deadline);
      const baseline: number[] = [];
      const authenticated: number[] = [];
      const lost: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        // Paired rounds, the order alternating, so that a machine busy with something else for a
        // while weighs on both sides of a pair alike; the loss is the median of the pairs.
        const first = round % 2 === 0;
        const pair: number[] = [];
        for (const authed of first ? [false, true] : [true, false]) {
          pair[authed ? 1 : 0] = await measure(agent, url, authed ? '/api/v1/me' : '/healthz', authed ? bearer : {}, REQUESTS, deadline);
        }
        baseline.push(pair[0]!);
        authenticated.push(pair[1]!);
        lost.push((1 - pair[1]! / pair[0]!) * 100);
      }
      const auth = median(authenticated);
      report({ label: 'in-process: GET /healthz, no key (baseline)', value: median(baseline), unit: 'req/s', samples: baseline });
      report({ label: 'in-process: GET /api/v1/me, Bearer key', value: auth, unit: 'req/s', samples: authenticated });
      report({ label: 'in-process: throughput lost to auth (median of pairs)', value: median(lost), unit: '%', samples: lost });

      // The same work without HTTP around it: what one authentication costs, and its share of a request.
      const authenticator = new Authenticator({ keys: store, now: () => new Date() });
      const calls = 20_000;
      for (let i = 0; i < 2000; i++) authenticator.authenticate({ authorization: `Bearer ${key}` });
      const started = performance.now();
      for (let i = 0; i < calls; i++) authenticator.authenticate({ authorization: `Bearer ${key}` });
      const microseconds = ((performance.now() - started) * 1000) / calls;
      report({ label: 'Authenticator.authenticate() alone', value: microseconds, unit: 'µs/call' });
      report({ label: 'its share of one authenticated GET /api/v1/me', value: ((microseconds * auth) / 1e6) * 100, unit: '%' });
      note('The baseline does its own small work (a SELECT 1, the printer list), so the throughput difference');
      note('can fall within noise or below zero; the second pair of figures isolates authentication itself.');
    } finally {
      db.close();
      agent.destroy();
      await gateway.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
    // Issue 11's row: the share in a print request, on the serve process as it runs in production.
    await measureAuthShare(report, note);
  },
};
