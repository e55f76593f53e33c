import { verdictOf, type BenchFigure } from '../benchmark.js';

export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** min / median / max of a figure's samples (or its single value). */
export function spread(figure: BenchFigure): string {
  if (figure.failed !== undefined) return 'FAILED';
  const samples = figure.samples ?? [figure.value];
  if (samples.length <= 1) return formatValue(figure.value);
  return `${formatValue(Math.min(...samples))} / ${formatValue(figure.value)} / ${formatValue(Math.max(...samples))}`;
}

export function targetText(figure: BenchFigure): string {
  return figure.target ? `${figure.target.op} ${figure.target.value}` : '';
}

/** One line of a benchmark's section: label, min/median/max, unit, target, verdict (and why it failed). */
export function figureLine(figure: BenchFigure, width = 58): string {
  const verdict = verdictOf(figure);
  const line = `  ${figure.label.padEnd(width)} ${spread(figure).padStart(24)} ${figure.unit.padEnd(7)} ${targetText(figure).padEnd(7)} ${verdict}`;
  return figure.failed !== undefined ? `${line}\n      reason: ${figure.failed}` : line.trimEnd();
}

/** The compact table of every figure held against a target (and every failed one). */
export function summaryTable(figures: readonly BenchFigure[]): string[] {
  const rows = figures.filter((figure) => figure.target || figure.failed !== undefined);
  if (rows.length === 0) return [];
  const width = Math.min(64, Math.max(...rows.map((row) => row.label.length)));
  const lines = [`  ${'row'.padEnd(width)} ${'min / median / max'.padStart(24)} ${'unit'.padEnd(7)} ${'target'.padEnd(7)} verdict`];
  for (const row of rows) lines.push(figureLine(row, width));
  return lines;
}
