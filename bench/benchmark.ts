/** What a figure is held against: `value op target`, judged on the median of its samples. */
export interface Target {
  op: '>=' | '<=' | '<';
  value: number;
}

/** One figure of `npm run bench`: a bounded run that reports figures, never asserts. */
export interface BenchFigure {
  label: string;
  /** The median of `samples` when there are several. */
  value: number;
  unit: string;
  /** Every repetition's value (min/median/max are taken from them). */
  samples?: number[];
  /** The figure issue 11 holds it against. */
  target?: Target;
  /** Why it could not be measured: the row FAILS (a 429 or an error is not a delivered job). */
  failed?: string;
}

export interface Benchmark {
  /** Short name, used to pick benchmarks: `npm run bench -- auth`. */
  name: string;
  description: string;
  /** Run only when named on the command line (not part of a plain `npm run bench`). */
  onlyWhenNamed?: boolean;
  /** `report` records a figure; `note` prints a free-form line (results, caveats). */
  run(report: (figure: BenchFigure) => void, note: (text: string) => void): Promise<void>;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** A figure from repeated samples (value = median). */
export function sampled(label: string, samples: readonly number[], unit: string, target?: Target): BenchFigure {
  return { label, value: median(samples), unit, samples: [...samples], ...(target ? { target } : {}) };
}

/** A figure that could not be measured. */
export function failedFigure(label: string, unit: string, reason: string, target?: Target): BenchFigure {
  return { label, value: Number.NaN, unit, failed: reason, ...(target ? { target } : {}) };
}

export type Verdict = 'PASS' | 'MISS' | 'FAILED' | '';

export function verdictOf(figure: BenchFigure): Verdict {
  if (figure.failed !== undefined || !Number.isFinite(figure.value)) return figure.target || figure.failed !== undefined ? 'FAILED' : '';
  if (!figure.target) return '';
  const { op, value } = figure.target;
  const ok = op === '>=' ? figure.value >= value : op === '<=' ? figure.value <= value : figure.value < value;
  return ok ? 'PASS' : 'MISS';
}

/** Runs `measure` and turns a throw into a FAILED figure with the reason. */
export async function orFailed(report: (figure: BenchFigure) => void, label: string, unit: string, target: Target | undefined, measure: () => Promise<number[]>): Promise<number[] | null> {
  try {
    const samples = await measure();
    report(sampled(label, samples, unit, target));
    return samples;
  } catch (error) {
    report(failedFigure(label, unit, (error as Error)?.message ?? String(error), target));
    return null;
  }
}
