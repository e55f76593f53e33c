import type { Benchmark } from '../benchmark.js';
import { renderBombs } from '../fuzz/document-bombs.js';
import { BenchGateway } from '../harness/bench-gateway.js';
import { RUNS } from '../harness/bench-env.js';
import { percentile } from '../harness/gateway-process.js';
import { call } from '../harness/http-call.js';
import { RepTable } from '../harness/rep-table.js';
import { startReceiptSink, type ReceiptSink } from '../peers/receipt-sink.js';
import { RECEIPT_MARKER } from './receipt.js';
import { keepAliveAgent } from './submitters.js';

const POLL_EVERY_MS = 10;
const HEALTH_TIMEOUT_MS = 5000;
const RUN_DEADLINE_MS = 180_000;
const FINAL = new Set(['completed', 'aborted', 'canceled', 'held']);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** GET /healthz every 10 ms on a keep-alive connection until stopped; a timeout counts as its full time. */
function pollHealth(url: string): { stop(): Promise<{ ms: number[]; failures: number }> } {
  const agent = keepAliveAgent(1);
  const ms: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const answer = await call(`${url}/healthz`, { method: 'GET', timeoutMs: HEALTH_TIMEOUT_MS, agent });
      ms.push(answer.ms);
      if (answer.status !== 200) failures += 1;
      await sleep(POLL_EVERY_MS);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      agent.destroy();
      return { ms, failures };
    },
  };
}

export type Bombs = ReturnType<typeof renderBombs>;

/**
 * Submits every bomb (and asks for previews of the images) and waits until each job has ended;
 * returns what became of each. The bombs are built beforehand: making a 28 MP PNG here would
 * block this process's /healthz poller, not the gateway.
 */
export async function renderAll(gateway: BenchGateway, bombs: Bombs): Promise<string[]> {
  const auth = { authorization: `Bearer ${gateway.key}` };
  const deadline = Date.now() + RUN_DEADLINE_MS;
  const outcomes = await Promise.all(
    bombs.map(async (bomb) => {
      const path = gateway.printPath(bomb.printer === 'receipt' ? 0 : 1);
      const submitted = await call(`${gateway.url}${path}`, { method: 'POST', headers: { ...auth, 'content-type': bomb.contentType }, body: bomb.body, timeoutMs: 60_000 });
      if (submitted.status !== 201) return `${bomb.name}: refused at submit, ${submitted.status || submitted.error} ${submitted.body.toString('utf8').slice(0, 120)}`;
      const { JobId } = JSON.parse(submitted.body.toString('utf8')) as { JobId: string };
      const preview = bomb.preview
        ? call(`${gateway.url}/api/v1/jobs/${JobId}/preview.png`, { method: 'GET', headers: auth, timeoutMs: RUN_DEADLINE_MS }).then((answer) => `preview ${answer.status || answer.error}`)
        : Promise.resolve('');
      let state = 'pending';
      let code: unknown = null;
      while (!FINAL.has(state)) {
        if (Date.now() > deadline) throw new Error(`${bomb.name}: job still ${state} after ${RUN_DEADLINE_MS} ms`);
        await sleep(250);
        const job = await call(`${gateway.url}/api/v1/jobs/${JobId}`, { method: 'GET', headers: auth, timeoutMs: 10_000 });
        if (job.status === 200) ({ state, errorCode: code } = JSON.parse(job.body.toString('utf8')) as { state: string; errorCode: unknown });
      }
      return `${bomb.name}: ${state}${code ? ` ${String(code)}` : ''}${(await preview) ? `, ${await preview}` : ''}`;
    }),
  );
  return outcomes;
}

/**
 * /healthz while the gateway renders the documents that froze it in issue 11 (the 64 KB
 * `[feed: line 50]x` markup, 64,000 text lines, a 6000×6600 PNG, a PDF of tall pages, a 4 in × 2 m
 * label — with previews of the images), submitted to a receipt sink and a label sink: p99 of
 * GET /healthz polled every 10 ms on a keep-alive connection, from the first submit until every
 * job ended. /healthz needs no key (a key with ViewStatus would add the printer list only).
 */
export const bombsBench: Benchmark = {
  name: 'bombs',
  description: `GET /healthz every ${POLL_EVERY_MS} ms while the document bombs of issue 11 render (and preview), ${RUNS} runs`,
  async run(report, note) {
    const table = new RepTable();
    const sinks: ReceiptSink[] = [await startReceiptSink(RECEIPT_MARKER), await startReceiptSink(RECEIPT_MARKER)];
    let gateway: BenchGateway | null = null;
    try {
      gateway = await BenchGateway.start({
        printers: [
          { uri: sinks[0]!.uri, language: 'escpos' },
          { uri: sinks[1]!.uri, language: 'zpl' },
        ],
        permissions: ['PrintToDevice', 'ViewJobs'],
      });
      const bombs = renderBombs();
      await sleep(1000);
      // The same polling with nothing to render: this machine's own noise, for comparison.
      const quiet = pollHealth(gateway.url);
      await sleep(3000);
      const idle = await quiet.stop();
      report({ label: '/healthz p99 with nothing rendering (3 s, for comparison)', value: percentile(idle.ms, 99), unit: 'ms' });
      for (let rep = 0; rep < RUNS; rep += 1) {
        const health = pollHealth(gateway.url);
        try {
          const outcomes = await renderAll(gateway, bombs);
          const { ms, failures } = await health.stop();
          table.set(rep, 'p99', percentile(ms, 99));
          table.set(rep, 'p50', percentile(ms, 50));
          table.set(rep, 'max', percentile(ms, 100));
          if (failures > 0) table.fail('p99', `${failures} of ${ms.length} /healthz polls did not answer 200`);
          if (rep === 0) for (const outcome of outcomes) note(outcome);
          note(`run ${rep + 1}: ${ms.length} polls, ${failures} failed`);
        } catch (error) {
          await health.stop();
          for (const name of ['p99', 'p50', 'max']) table.fail(name, (error as Error).message);
        }
      }
      report(table.figure('/healthz p99 while rendering the document bombs', 'ms', RUNS, ['p99'], (v) => v('p99'), { op: '<', value: 50 }));
      report(table.figure('/healthz p50 while rendering the document bombs', 'ms', RUNS, ['p50'], (v) => v('p50')));
      report(table.figure('/healthz slowest answer while rendering the bombs', 'ms', RUNS, ['max'], (v) => v('max')));
      if (!gateway.process.alive) report({ label: 'serve survived the bombs', value: Number.NaN, unit: '', failed: 'the serve process died' });
    } finally {
      await gateway?.stop();
      for (const sink of sinks) await sink.close();
    }
  },
};
