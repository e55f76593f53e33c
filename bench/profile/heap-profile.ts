import type { CallFrame } from './cpu-profile.js';
import { shortFile } from './cpu-profile.js';

/** What V8's sampling heap profiler reports (HeapProfiler.stopSampling). */
export interface HeapProfile {
  head: HeapNode;
}

interface HeapNode {
  callFrame: CallFrame;
  /** Bytes allocated here (scaled from the samples). */
  selfSize: number;
  children: HeapNode[];
}

/** Ours: the repo's own code (src/, drivers/), where a change can be made. */
const ours = (file: string): boolean => file.startsWith('src/') || file.startsWith('drivers/');

const nameOf = (frame: CallFrame): string => `${frame.functionName || '(anonymous)'}  ${shortFile(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;

/**
 * Bytes allocated per job: the total, the top allocating functions, and the allocations charged to
 * the nearest function of ours up the stack (what a change in our code can remove).
 */
export function heapSummary(profile: HeapProfile, jobs: number, top = 15): { kibPerJob: number; lines: string[] } {
  const self = new Map<string, number>();
  const nearest = new Map<string, number>();
  let total = 0;
  const walk = (node: HeapNode, mine: string | null): void => {
    const name = nameOf(node.callFrame);
    const owner = ours(shortFile(node.callFrame.url)) ? name : mine;
    total += node.selfSize;
    if (node.selfSize > 0) {
      self.set(name, (self.get(name) ?? 0) + node.selfSize);
      const key = owner ?? `(none of ours) ${name}`;
      nearest.set(key, (nearest.get(key) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, owner);
  };
  walk(profile.head, null);
  const perJob = (bytes: number): string => `${(bytes / Math.max(jobs, 1)).toFixed(0).padStart(7)} B/job`;
  const list = (map: Map<string, number>): string[] =>
    [...map].sort((a, b) => b[1] - a[1]).slice(0, top).map(([name, bytes]) => `    ${perJob(bytes)}  ${name}`);
  const kibPerJob = total / Math.max(jobs, 1) / 1024;
  return {
    kibPerJob,
    lines: [
      `main thread allocated ${kibPerJob.toFixed(1)} KiB per job (collected garbage included)`,
      '  top allocating functions:',
      ...list(self),
      '  by the nearest function of ours up the stack:',
      ...list(nearest),
    ],
  };
}
