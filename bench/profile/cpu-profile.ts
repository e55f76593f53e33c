/** A V8 .cpuprofile (what `node --cpu-prof` writes), and its samples as weighted stacks. */
export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  /** µs, the same monotonic clock as process.hrtime() on Linux. */
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

/** One frame, with the names a summary groups by. */
export interface Frame {
  name: string;
  /** src/jobs/job-store.ts, better-sqlite3/lib/…, node:internal/…, or '' for V8's own entries. */
  file: string;
  line: number;
}

export interface WeightedStack {
  /** Leaf first. */
  frames: Frame[];
  ms: number;
}

/** A readable file name: repo files as their .ts source, packages from their node_modules name. */
export function shortFile(url: string): string {
  if (url === '') return '';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) return url.slice(modules + '/node_modules/'.length);
  const dist = url.indexOf('/dist/');
  if (dist >= 0) return url.slice(dist + '/dist/'.length).replace(/\.js$/, '.ts');
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

/** The package (or repo directory) a file belongs to. */
export function moduleOf(file: string, name: string): string {
  if (file === '') return name.startsWith('(') ? name : '(native code)';
  if (file.startsWith('node:')) return file.replace(/^node:(internal\/)?/, 'node:').split('/').slice(0, 2).join('/');
  if (file.startsWith('src/') || file.startsWith('drivers/') || file.startsWith('bench/')) return file;
  const parts = file.split('/');
  return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
}

/**
 * The samples of a profile taken within [fromUs, toUs] (the whole profile when either is null),
 * each as its stack and the time it stands for (the delta to the next sample).
 */
export function weightedStacks(profile: CpuProfile, fromUs: number | null, toUs: number | null): WeightedStack[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const stackCache = new Map<number, Frame[]>();
  const stackOf = (id: number): Frame[] => {
    const cached = stackCache.get(id);
    if (cached) return cached;
    const frames: Frame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (frame.functionName === '(root)') break;
      frames.push({ name: frame.functionName || '(anonymous)', file: shortFile(frame.url), line: frame.lineNumber + 1 });
    }
    stackCache.set(id, frames);
    return frames;
  };
  const stacks: WeightedStack[] = [];
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i += 1) {
    at += profile.timeDeltas[i] ?? 0;
    const weightUs = profile.timeDeltas[i + 1] ?? 0;
    if (fromUs !== null && toUs !== null && (at < fromUs || at > toUs)) continue;
    stacks.push({ frames: stackOf(profile.samples[i]!), ms: weightUs / 1000 });
  }
  return stacks;
}
