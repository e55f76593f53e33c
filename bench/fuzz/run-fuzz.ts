import http from 'node:http';
import { parseArgs } from 'node:util';
import { startCountingSink } from '../peers/counting-sink.js';
import { createKey, GatewayProcess, percentile, seededRandom, writeConfig } from '../harness/gateway-process.js';
import { call, sampleHealth } from '../harness/http-call.js';
import { documentBombs } from './document-bombs.js';
import { openApiCases } from './openapi-cases.js';
import { rawCorpus, sendRaw, slowloris } from './raw-corpus.js';

/**
 * `npm run fuzz`: a real gateway process and a raw 9100 printer, then malformed requests generated
 * from the OpenAPI document the gateway serves, a raw-socket corpus (smuggling, bad headers and
 * framing, oversized bodies), slowloris sockets and the document bombs of issue 11. Prints counts
 * by status, every 5xx, crashes, RSS before/after and /healthz latency during the run.
 *
 *   npm run fuzz -- [--requests 10000] [--seed 1] [--slowloris 200] [--slowloris-seconds 8] [--json]
 */

export interface FuzzAccount {
  requests: number;
  raw: number;
  bombs: number;
  byStatus: Record<string, number>;
  fiveXX: { label: string; status: number }[];
  timeouts: number;
  connectionErrors: number;
  /** The first few requests that met a connection error (a keep-alive socket the server closed as it was reused). */
  connectionErrorLabels: string[];
  smuggled: string[];
  crashes: number;
  alive: boolean;
  rssBeforeKb: number | null;
  rssAfterKb: number | null;
  healthz: { samples: number; failures: number; p50Ms: number; p99Ms: number; maxMs: number };
  slowloris: { opened: number; closedByServer: number; refused: number; timedOut: number };
  bombResults: { name: string; status: number | string; jobId: string | null; preview: number | string | null }[];
}

const ALL_PERMISSIONS = ['ViewDeviceGroups', 'CreateDeviceGroups', 'ModifyDeviceGroups', 'DeleteDeviceGroups', 'EnumDevices', 'ViewDevice', 'ModifyDevice', 'DeleteDevice', 'PrintToDevice', 'FlushQueue', 'ManageNotifications', 'ViewJobs', 'ManageKeys', 'ViewStatus'];

export async function runFuzz(options: { requests: number; seed: number; slowlorisSockets: number; slowlorisSeconds: number; rawWaitMs?: number; log?: (line: string) => void }): Promise<FuzzAccount> {
  const say = options.log ?? (() => undefined);
  const sink = await startCountingSink();
  const config = writeConfig({
    server: { host: '127.0.0.1', port: 0, shutdownGraceSeconds: 1 },
    discovery: { interfaces: [], serial: false, usb: false },
    // Fuzzing, not rate limiting: budgets high enough that the requests reach the routes.
    limits: { perKey: { ratePerSecond: 1_000_000, burst: 1_000_000 }, authFailures: { maxFailures: 1_000_000, windowSeconds: 1, blockSeconds: 1 } },
    printers: [
      { name: 'Fuzz Till', group: 'fuzz', appId: 'fuzzapp', uri: sink.uri, language: 'escpos' },
      { name: 'Fuzz CloudPRNT', group: 'fuzz', uri: 'cloudprnt:00:11:62:00:00:01', language: 'starprnt' },
    ],
  }, 'printgate-fuzz-');
  const gateway = new GatewayProcess(config.file);
  const health = sampleHealth(() => (gateway.alive && gateway.url !== '' ? gateway.url : null));
  try {
    const key = createKey(config.file, ALL_PERMISSIONS, 'fuzz');
    await gateway.start();
    const host = new URL(gateway.url).host;
    const port = Number(new URL(gateway.url).port);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rssBeforeKb = gateway.rssKb();
    const document = JSON.parse((await call(`${gateway.url}/api/v1/openapi.json`, { method: 'GET', timeoutMs: 10_000, maxBodyBytes: 8 * 1024 * 1024 })).body.toString('utf8')) as Record<string, unknown>;
    const byStatus: Record<string, number> = {};
    const count = (status: number | string): void => {
      byStatus[String(status)] = (byStatus[String(status)] ?? 0) + 1;
    };
    const fiveXX: FuzzAccount['fiveXX'] = [];
    let timeouts = 0;
    let connectionErrors = 0;
    const connectionErrorLabels: string[] = [];
    const cases = openApiCases(document, { goodKey: key, group: 'fuzz', appId: 'fuzzapp' }, options.requests, seededRandom(options.seed));
    // The bombs first: their rendering runs while the fuzz does, which /healthz latency shows.
    const printPath = '/v1/a/fuzz/d/fuzzapp/q';
    const bombs = documentBombs();
    const bombResults: FuzzAccount['bombResults'] = [];
    say(`fuzz: ${bombs.length} document bombs`);
    for (const bomb of bombs) {
      const submitted = await call(`${gateway.url}${printPath}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': bomb.contentType }, body: bomb.body, timeoutMs: 60_000 });
      if (submitted.status > 0) count(submitted.status);
      if (submitted.error === 'timeout') timeouts += 1;
      if (submitted.status >= 500) fiveXX.push({ label: `bomb: ${bomb.name}`, status: submitted.status });
      const jobId = submitted.status === 201 ? (JSON.parse(submitted.body.toString('utf8')) as { JobId?: string }).JobId : undefined;
      bombResults.push({ name: bomb.name, status: submitted.status || (submitted.error ?? 'no answer'), jobId: jobId ?? null, preview: null });
    }
    // Their previews (decoding and drawing them) run during the fuzz too.
    const previews = Promise.all(
      bombResults.map(async (bomb) => {
        if (bomb.jobId === null) return;
        const preview = await call(`${gateway.url}/api/v1/jobs/${bomb.jobId}/preview.png`, { method: 'GET', headers: { authorization: `Bearer ${key}` }, timeoutMs: 60_000 });
        if (preview.status > 0) count(preview.status);
        if (preview.error === 'timeout') timeouts += 1;
        if (preview.status >= 500) fiveXX.push({ label: `bomb preview: ${bomb.name}`, status: preview.status });
        bomb.preview = preview.status || (preview.error ?? 'no answer');
      }),
    );
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    let next = 0;
    say(`fuzz: ${cases.length} requests from the OpenAPI document (${Object.keys(document.paths as object).length} paths), seed ${options.seed}`);
    const worker = async (): Promise<void> => {
      while (next < cases.length) {
        const fuzz = cases[next]!;
        next += 1;
        const result = await call(`${gateway.url}${fuzz.path}`, { method: fuzz.method, headers: fuzz.headers, ...(fuzz.body === undefined ? {} : { body: fuzz.body }), timeoutMs: 10_000, agent, statusOnly: fuzz.stream === true });
        if (result.error === 'timeout') timeouts += 1;
        else if (result.error !== null && result.status === 0) {
          connectionErrors += 1;
          if (connectionErrorLabels.length < 10) connectionErrorLabels.push(`${result.error} ${fuzz.label}`);
        }
        if (result.status > 0) count(result.status);
        if (result.status >= 500) fiveXX.push({ label: fuzz.label, status: result.status });
        if (!gateway.alive) throw new Error(`the gateway died during "${fuzz.label}"`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    agent.destroy();

    const raw = rawCorpus(host, printPath);
    const smuggled: string[] = [];
    say(`fuzz: ${raw.length} raw-socket cases, ${options.slowlorisSockets} slowloris sockets for ${options.slowlorisSeconds} s`);
    const loris = slowloris(port, host, options.slowlorisSockets, options.slowlorisSeconds * 1000);
    for (const rawCase of raw) {
      const result = await sendRaw(port, rawCase, options.rawWaitMs ?? 1500);
      for (const status of result.statuses) {
        count(status);
        if (status >= 500) fiveXX.push({ label: `raw: ${rawCase.name}`, status });
      }
      if (result.smuggled) smuggled.push(rawCase.name);
    }

    await previews;
    const slow = await loris;
    await new Promise((resolve) => setTimeout(resolve, 500));
    const rssAfterKb = gateway.rssKb();
    const samples = await health.stop();
    return {
      requests: cases.length,
      raw: raw.length,
      bombs: bombs.length,
      byStatus,
      fiveXX,
      timeouts,
      connectionErrors,
      connectionErrorLabels,
      smuggled,
      crashes: gateway.crashes.length + (gateway.alive ? 0 : 1),
      alive: gateway.alive,
      rssBeforeKb,
      rssAfterKb,
      healthz: { samples: samples.ms.length, failures: samples.failures, p50Ms: percentile(samples.ms, 50), p99Ms: percentile(samples.ms, 99), maxMs: percentile(samples.ms, 100) },
      slowloris: slow,
      bombResults,
    };
  } finally {
    await health.stop();
    await gateway.kill('SIGTERM').catch(() => gateway.kill('SIGKILL'));
    await sink.close();
    config.remove();
  }
}

export function printFuzzAccount(account: FuzzAccount, out: (line: string) => void): void {
  const mb = (kb: number | null): string => (kb === null ? '?' : `${(kb / 1024).toFixed(1)} MB`);
  out(`fuzz account: ${account.requests} OpenAPI requests, ${account.raw} raw-socket cases, ${account.bombs} document bombs, ${account.slowloris.opened} slowloris sockets`);
  out(`  by status: ${Object.entries(account.byStatus).sort(([a], [b]) => a.localeCompare(b)).map(([status, n]) => `${status}: ${n}`).join(', ')}`);
  out(`  5xx: ${account.fiveXX.length}${account.fiveXX.length > 0 ? ` (${account.fiveXX.slice(0, 10).map((hit) => `${hit.status} ${hit.label}`).join('; ')})` : ''}`);
  out(`  timeouts: ${account.timeouts}   connection errors: ${account.connectionErrors}   smuggled: ${account.smuggled.length === 0 ? 'none' : account.smuggled.join(', ')}`);
  if (account.connectionErrorLabels.length > 0) out(`  connection errors on: ${account.connectionErrorLabels.join('; ')}`);
  out(`  crashes: ${account.crashes}   gateway alive at the end: ${account.alive ? 'yes' : 'NO'}`);
  out(`  RSS: ${mb(account.rssBeforeKb)} before, ${mb(account.rssAfterKb)} after`);
  out(`  /healthz during the run: ${account.healthz.samples} answers, ${account.healthz.failures} failed, p50 ${account.healthz.p50Ms.toFixed(1)} ms, p99 ${account.healthz.p99Ms.toFixed(1)} ms, max ${account.healthz.maxMs.toFixed(1)} ms`);
  for (const bomb of account.bombResults) out(`  bomb ${bomb.name}: ${bomb.status}${bomb.preview === null ? '' : `, preview ${bomb.preview}`}`);
  const loris = account.slowloris;
  out(`  slowloris sockets the server closed within the run: ${loris.closedByServer} of ${loris.opened} (${loris.refused} refused at once past the connections per address, ${loris.timedOut} at the headers timeout)`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '10000' },
      seed: { type: 'string', default: '1' },
      slowloris: { type: 'string', default: '200' },
      'slowloris-seconds': { type: 'string', default: '8' },
      json: { type: 'boolean', default: false },
    },
  });
  const account = await runFuzz({
    requests: Number(values.requests),
    seed: Number(values.seed),
    slowlorisSockets: Number(values.slowloris),
    slowlorisSeconds: Number(values['slowloris-seconds']),
    log: values.json ? undefined : (line) => console.log(line),
  });
  if (values.json) console.log(JSON.stringify(account));
  else printFuzzAccount(account, (line) => console.log(line));
  if (account.fiveXX.length > 0 || account.crashes > 0 || account.smuggled.length > 0) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) await main();
