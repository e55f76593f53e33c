/** One benchmark of `npm run bench`: a bounded run that reports figures, never asserts. */
export interface BenchFigure {
  label: string;
  value: number;
  unit: string;
}

export interface Benchmark {
  /** Short name, used to pick benchmarks: `npm run bench -- auth`. */
  name: string;
  description: string;
  /** `report` records a figure; `note` prints a free-form line (results, caveats). */
  run(report: (figure: BenchFigure) => void, note: (text: string) => void): Promise<void>;
}
