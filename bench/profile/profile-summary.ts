import { moduleOf, type Frame, type WeightedStack } from './cpu-profile.js';

/** Where a sample's time goes: the first rule matched from the leaf up owns it. */
const AREAS: readonly [string, (frame: Frame) => boolean][] = [
  ['idle (event loop waiting)', (f) => f.name === '(idle)'],
  ['garbage collection', (f) => f.name === '(garbage collector)'],
  ['logging (pino)', (f) => /^(pino|sonic-boom|thread-stream|pino-std-serializers)\//.test(f.file) || f.file.startsWith('src/log/')],
  ['auth (key lookup, limiter, permission)', (f) => f.file.startsWith('src/keys/') || f.file === 'src/http/auth-middleware.ts'],
  ['render pool hand-off (postMessage, structured clone)', (f) => f.file === 'src/jobs/render-pool.ts' || f.file.startsWith('node:internal/worker') || f.file === 'node:worker_threads'],
  ['WAL sync (group commit)', (f) => f.file === 'src/db/wal-sync.ts'],
  ['SQLite (statements, job store, DB)', (f) => f.file.startsWith('better-sqlite3/') || f.file === 'src/jobs/job-store.ts' || f.file.startsWith('src/db/') || f.file.endsWith('-store.ts')],
  ['events, webhooks, event stream', (f) => f.file.startsWith('src/webhooks/') || f.file === 'src/http/native/event-stream.ts' || f.file === 'src/jobs/job-events.ts'],
  ['metrics (prom-client)', (f) => f.file.startsWith('src/metrics/') || f.file.startsWith('prom-client/')],
  ['delivery (worker, session, transport)', (f) => /^src\/jobs\/(job-delivery|printer-worker|dispatcher|status-checker|worker-decisions|transport-opener|wakeup|read-document)\.ts$/.test(f.file) || f.file.startsWith('drivers/transports/')],
  ['submit use case (jobs-service, spool, print request, routes)', (f) => /^src\/jobs\/(jobs-service|spool|queue-counts|print-options|document-type)\.ts$/.test(f.file) || f.file === 'src/http/print-request.ts' || f.file.startsWith('src/http/star/') || f.file.startsWith('src/http/native/')],
  ['HTTP framework (express, router, src/http)', (f) => /^(express|router|body-parser|raw-body|finalhandler|send|on-finished|type-is|content-type|qs|path-to-regexp|accepts|negotiator|mime-types|cookie|depd|http-errors)\//.test(f.file) || f.file.startsWith('src/http/')],
  ['HTTP parsing and sockets (node:http, net, streams)', (f) => /^node:(_http_|http|net|stream|internal\/(streams|stream_base|http|net|timers|process\/task_queues))/.test(f.file)],
  ['rendering on the main thread (drivers/languages)', (f) => f.file.startsWith('drivers/languages/') || f.file.startsWith('@point-of-sale/')],
  ['V8 (program: compile, IC, runtime)', (f) => f.name === '(program)'],
];

export interface ProfileSummary {
  totalMs: number;
  busyMs: number;
  areas: { area: string; ms: number }[];
  functions: { name: string; ms: number }[];
  modules: { module: string; ms: number }[];
}

function top<K extends string>(totals: Map<string, number>, key: K, n: number): ({ ms: number } & Record<K, string>)[] {
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, ms]) => ({ [key]: name, ms }) as { ms: number } & Record<K, string>);
}

const add = (totals: Map<string, number>, key: string, ms: number): void => void totals.set(key, (totals.get(key) ?? 0) + ms);

/** Self time by function and by module, and inclusive time by area of the gateway. */
export function summarise(stacks: readonly WeightedStack[], topN = 25): ProfileSummary {
  const areas = new Map<string, number>();
  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  let totalMs = 0;
  let idleMs = 0;
  for (const { frames, ms } of stacks) {
    totalMs += ms;
    const leaf = frames[0];
    if (!leaf) continue;
    if (leaf.name === '(idle)') idleMs += ms;
    add(functions, leaf.file ? `${leaf.name}  ${leaf.file}:${leaf.line}` : leaf.name, ms);
    add(modules, moduleOf(leaf.file, leaf.name), ms);
    let area: string | undefined;
    for (const frame of frames) {
      area = AREAS.find(([, match]) => match(frame))?.[0];
      if (area) break;
    }
    add(areas, area ?? `other (${moduleOf(leaf.file, leaf.name)})`, ms);
  }
  return { totalMs, busyMs: totalMs - idleMs, areas: top(areas, 'area', 30), functions: top(functions, 'name', topN), modules: top(modules, 'module', topN) };
}

/** The summary as lines: shares of the busy time (idle excluded), ms per job when jobs > 0. */
export function summaryLines(title: string, summary: ProfileSummary, jobs: number): string[] {
  const pct = (ms: number): string => `${((ms / Math.max(summary.busyMs, 1e-9)) * 100).toFixed(1).padStart(5)} %`;
  const perJob = (ms: number): string => (jobs > 0 ? `${((ms / jobs) * 1000).toFixed(0).padStart(6)} µs/job` : '');
  const lines = [`${title}: ${summary.totalMs.toFixed(0)} ms sampled, ${summary.busyMs.toFixed(0)} ms busy${jobs > 0 ? ` (${(summary.busyMs / jobs).toFixed(3)} ms per job)` : ''}`];
  lines.push('  by area (inclusive from the leaf up; % of busy time):');
  for (const { area, ms } of summary.areas) if (!area.startsWith('idle')) lines.push(`    ${pct(ms)} ${perJob(ms)}  ${area}`);
  lines.push('  top self time by function:');
  for (const { name, ms } of summary.functions.filter((f) => f.name !== '(idle)').slice(0, 20)) lines.push(`    ${pct(ms)} ${perJob(ms)}  ${name}`);
  lines.push('  self time by module:');
  for (const { module, ms } of summary.modules.filter((m) => m.module !== '(idle)').slice(0, 15)) lines.push(`    ${pct(ms)} ${perJob(ms)}  ${module}`);
  return lines;
}

/** The longest stretches of consecutive busy samples (the event loop blocked), each with what ran most in it. */
export function longestBusyStretches(stacks: readonly WeightedStack[], count = 5, minMs = 20): string[] {
  const stretches: { ms: number; stacks: WeightedStack[] }[] = [];
  let current: { ms: number; stacks: WeightedStack[] } | null = null;
  for (const stack of stacks) {
    if (stack.frames[0]?.name === '(idle)' || stack.frames.length === 0) {
      if (current) stretches.push(current);
      current = null;
      continue;
    }
    current ??= { ms: 0, stacks: [] };
    current.ms += stack.ms;
    current.stacks.push(stack);
  }
  if (current) stretches.push(current);
  return stretches
    .filter((stretch) => stretch.ms >= minMs)
    .sort((a, b) => b.ms - a.ms)
    .slice(0, count)
    .map((stretch) => {
      // The leaf-most frame of our own code, and the leaf, weighted over the stretch.
      const owners = new Map<string, number>();
      for (const { frames, ms } of stretch.stacks) {
        const own = frames.find((frame) => frame.file.startsWith('src/') || frame.file.startsWith('drivers/'));
        const leaf = frames[0]!;
        add(owners, `${own ? `${own.name} ${own.file}:${own.line}` : '(no frame of ours)'} → ${leaf.name}${leaf.file ? ` ${leaf.file}:${leaf.line}` : ''}`, ms);
      }
      const [name, ms] = [...owners.entries()].sort((a, b) => b[1] - a[1])[0]!;
      return `${stretch.ms.toFixed(0)} ms busy without a break; ${((ms / stretch.ms) * 100).toFixed(0)} % in ${name}`;
    });
}
