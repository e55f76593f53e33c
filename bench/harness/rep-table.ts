import { failedFigure, sampled, type BenchFigure, type Target } from '../benchmark.js';

/**
 * Values measured per repetition under names ("printgate jobs/s 1x10"), or the reason a run
 * failed. Figures are built from them per repetition, so a ratio pairs values of the same run,
 * and a figure any of whose runs failed is itself FAILED with that reason.
 */
export class RepTable {
  private readonly values = new Map<string, Map<number, number>>();
  private readonly failures = new Map<string, string>();

  set(rep: number, name: string, value: number): void {
    let byRep = this.values.get(name);
    if (!byRep) this.values.set(name, (byRep = new Map()));
    byRep.set(rep, value);
  }

  /** `name` is a value's name or a prefix of several ("printgate 1p×10c" fails its jobs/s, ms, p99…). */
  fail(name: string, reason: string): void {
    if (!this.failures.has(name)) this.failures.set(name, reason);
  }

  get(rep: number, name: string): number | undefined {
    return this.values.get(name)?.get(rep);
  }

  /** A figure of `compute(get)` for every repetition in 0…reps-1. */
  figure(label: string, unit: string, reps: number, needs: readonly string[], compute: (value: (name: string) => number) => number, target?: Target): BenchFigure {
    for (const name of needs) {
      // A failure recorded for a run ("printgate 1p×10c") fails every value of it ("printgate 1p×10c jobs/s").
      const failed = [...this.failures.keys()].find((key) => name === key || name.startsWith(`${key} `));
      if (failed !== undefined) return failedFigure(label, unit, `${failed}: ${this.failures.get(failed)!}`, target);
    }
    const samples: number[] = [];
    for (let rep = 0; rep < reps; rep += 1) {
      const missing = needs.find((name) => this.get(rep, name) === undefined);
      if (missing !== undefined) return failedFigure(label, unit, `${missing}: not measured in run ${rep + 1}`, target);
      samples.push(compute((name) => this.get(rep, name)!));
    }
    return sampled(label, samples, unit, target);
  }
}
