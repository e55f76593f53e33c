import type { BenchFigure } from '../benchmark.js';
import { BenchGateway } from '../harness/bench-gateway.js';
import { benchNumber, RUNS } from '../harness/bench-env.js';
import { call } from '../harness/http-call.js';
import { RepTable } from '../harness/rep-table.js';
import { startReceiptSink } from '../peers/receipt-sink.js';
import { RECEIPT_BYTES, RECEIPT_MARKER } from './receipt.js';
import { keepAliveAgent } from './submitters.js';

const REQUESTS = Math.round(benchNumber('BENCH_AUTH_SHARE_REQUESTS', 500, 100));

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * The auth share of a print request, measured on the serve process from outside, one request at a
 * time on one keep-alive connection: the median time of GET /api/v1/me (a Bearer key: format, SHA-256,
 * SQLite lookup, state, rate limiter, permission, then a tiny JSON) minus that of GET /healthz (no
 * key; a SELECT 1 and the printer list, a tiny JSON), over the median time of a print request
 * (POST …/q of a 218-byte receipt, answered 201, to a raw printer). The three are interleaved in
 * rounds of 50 so a busy moment weighs on each alike.
 */
export async function measureAuthShare(report: (figure: BenchFigure) => void, note: (text: string) => void): Promise<void> {
  const table = new RepTable();
  const sink = await startReceiptSink(RECEIPT_MARKER);
  let gateway: BenchGateway | null = null;
  const agent = keepAliveAgent(1);
  try {
    gateway = await BenchGateway.start({ printers: [{ uri: sink.uri, language: 'raw' }] });
    const bearer = { authorization: `Bearer ${gateway.key}` };
    const kinds = {
      healthz: () => call(`${gateway!.url}/healthz`, { method: 'GET', agent, timeoutMs: 10_000 }),
      me: () => call(`${gateway!.url}/api/v1/me`, { method: 'GET', headers: bearer, agent, timeoutMs: 10_000 }),
      print: () => call(`${gateway!.url}${gateway!.printPath(0)}`, { method: 'POST', headers: { ...bearer, 'content-type': 'text/plain' }, body: RECEIPT_BYTES, agent, timeoutMs: 10_000 }),
    };
    const expected = { healthz: 200, me: 200, print: 201 };
    for (let rep = -1; rep < RUNS; rep += 1) {
      const times: Record<keyof typeof kinds, number[]> = { healthz: [], me: [], print: [] };
      for (let done = 0; done < REQUESTS; done += 50) {
        for (const kind of Object.keys(kinds) as (keyof typeof kinds)[]) {
          for (let i = 0; i < 50; i += 1) {
            const answer = await kinds[kind]();
            if (answer.status !== expected[kind]) throw new Error(`${kind} answered ${answer.status || answer.error}`);
            times[kind].push(answer.ms);
          }
        }
      }
      if (rep < 0) continue; // warm-up
      for (const kind of Object.keys(times) as (keyof typeof kinds)[]) table.set(rep, kind, median(times[kind]));
    }
  } catch (error) {
    for (const kind of ['healthz', 'me', 'print']) table.fail(kind, (error as Error).message);
  } finally {
    agent.destroy();
    await gateway?.stop();
    await sink.close();
  }
  report(table.figure('serve: GET /healthz, one at a time (median)', 'ms', RUNS, ['healthz'], (v) => v('healthz')));
  report(table.figure('serve: GET /api/v1/me with a key, one at a time (median)', 'ms', RUNS, ['me'], (v) => v('me')));
  report(table.figure('serve: print request → 201, one at a time (median)', 'ms', RUNS, ['print'], (v) => v('print')));
  report(
    table.figure('auth share of a print request ((me − healthz) / print)', '%', RUNS, ['healthz', 'me', 'print'], (v) => ((v('me') - v('healthz')) / v('print')) * 100, { op: '<', value: 5 }),
  );
  note(`auth share: ${REQUESTS} requests of each kind per run, one in flight, on the serve process; the handlers' own work differs a little, so the share can be noisy or below zero`);
}
