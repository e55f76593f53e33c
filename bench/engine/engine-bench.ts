import type { Benchmark } from '../benchmark.js';
import { JOBS, RUNS } from '../harness/bench-env.js';
import { CELLS, cellName, runMatrix } from './engine-matrix.js';
import { RECEIPT_BYTES } from './receipt.js';

const LANGUAGES = ['raw', 'escpos'] as const;

/**
 * Issue 11's end-to-end rows: printgate against CUPS and the floor (same receipts, same client
 * counts, same run), durable accept against CUPS's accept, submit p99 against a bare node:http
 * server, and CPU per job, for a raw and an escpos text receipt.
 */
export const engineBench: Benchmark = {
  name: 'engine',
  description: `${JOBS} receipts (${RECEIPT_BYTES.length} B text) end to end: printgate serve vs a private cupsd vs straight to the sinks, ${RUNS} runs`,
  async run(report, note) {
    note('every run: 10 raw 9100 sinks on loopback (no back-channel); jobs spread round robin; keep-alive HTTP for printgate, CUPS and the bare server');
    for (const language of LANGUAGES) {
      const { table, printerBytes } = await runMatrix(language);
      note(`${language}: printgate is sent the ${RECEIPT_BYTES.length}-byte text; the floor and CUPS are sent the ${printerBytes} bytes printgate delivers for it`);
      for (const cell of CELLS) {
        const c = cellName(cell);
        const needs = (system: string): string[] => [`${system} ${c} jobs/s`];
        for (const system of ['printgate', 'CUPS', 'floor']) report(table.figure(`${language} ${c}: ${system} jobs/s`, 'jobs/s', RUNS, needs(system), (v) => v(`${system} ${c} jobs/s`)));
        report(
          table.figure(`${language} ${c}: printgate / CUPS jobs/s`, '×', RUNS, [...needs('printgate'), ...needs('CUPS')], (v) => v(`printgate ${c} jobs/s`) / v(`CUPS ${c} jobs/s`), { op: '>=', value: 10 }),
        );
        report(
          table.figure(`${language} ${c}: printgate time / floor time`, '×', RUNS, [`printgate ${c} ms`, `floor ${c} ms`], (v) => v(`printgate ${c} ms`) / v(`floor ${c} ms`), { op: '<=', value: 2 }),
        );
        report(table.figure(`${language} ${c}: printgate CPU per job, accept → delivered`, 'ms', RUNS, [`printgate ${c} cpu ms/job`], (v) => v(`printgate ${c} cpu ms/job`), c === '1p×10c' ? { op: '<=', value: 1.5 } : undefined));
      }
      const c = '1p×10c';
      report(table.figure(`${language} ${c}: printgate durable accept`, 'jobs/s', RUNS, [`printgate ${c} accept/s`], (v) => v(`printgate ${c} accept/s`)));
      report(table.figure(`${language} ${c}: CUPS accept`, 'jobs/s', RUNS, [`CUPS ${c} accept/s`], (v) => v(`CUPS ${c} accept/s`)));
      report(table.figure(`${language} ${c}: printgate durable accept / CUPS accept`, '×', RUNS, [`printgate ${c} accept/s`, `CUPS ${c} accept/s`], (v) => v(`printgate ${c} accept/s`) / v(`CUPS ${c} accept/s`), { op: '>=', value: 1 }));
      report(table.figure(`${language} ${c}: printgate submit p99`, 'ms', RUNS, [`printgate ${c} p99 ms`], (v) => v(`printgate ${c} p99 ms`)));
      report(table.figure(`${language} ${c}: bare node:http 201 p99`, 'ms', RUNS, [`bare ${c} p99 ms`], (v) => v(`bare ${c} p99 ms`)));
      report(table.figure(`${language} ${c}: submit p99 / bare node:http p99`, '×', RUNS, [`printgate ${c} p99 ms`, `bare ${c} p99 ms`], (v) => v(`printgate ${c} p99 ms`) / v(`bare ${c} p99 ms`), { op: '<=', value: 2 }));
    }
  },
};
