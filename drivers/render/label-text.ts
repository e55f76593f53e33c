import type { Align } from './receipt-ops.js';

/** Text attributes on a label, as markup sets them (they persist until changed). */
export interface LabelStyle {
  bold: boolean;
  underline: boolean;
  invert: boolean;
  /** Magnification, 1–6. */
  width: number;
  height: number;
  font: 'A' | 'B';
  align: Align;
}

export const PLAIN_LABEL_STYLE: LabelStyle = { bold: false, underline: false, invert: false, width: 1, height: 1, font: 'A', align: 'left' };

/** Font 0 sizes on a label of this resolution: 3.5 mm characters (font B 17/24 of that), 2 mm margins. */
export interface LabelMetrics {
  margin: number;
  /** ^A0 height of unmagnified font A and font B, in dots. */
  charA: number;
  charB: number;
  /** The field block of a line: the label width less the margins. */
  block: number;
}

export function labelMetrics(dotsPerMM: number, widthDots: number): LabelMetrics {
  const charA = Math.round(3.5 * dotsPerMM);
  const margin = Math.round(2 * dotsPerMM);
  return { margin, charA, charB: Math.round((charA * 17) / 24), block: widthDots - 2 * margin };
}

/**
 * Width of a character of font 0 as a share of its ^A0 width (about 16 dots at 28: 50 per line on
 * a 4-inch label at 203 dpi). Font 0 is proportional: layout and preview both use this estimate.
 */
export const CHAR_WIDTH_RATIO = 4 / 7;

export function cellWidth(charWidthDots: number): number {
  return Math.max(1, Math.round(charWidthDots * CHAR_WIDTH_RATIO));
}

/** ^A0 height and width of text in `style`. */
export function charSize(style: LabelStyle, metrics: LabelMetrics): { height: number; width: number } {
  const base = style.font === 'B' ? metrics.charB : metrics.charA;
  return { height: base * style.height, width: base * style.width };
}

/** Dots between the tops of two lines whose tallest text is `charHeight`. */
export function linePitch(charHeight: number): number {
  return Math.round(charHeight * 1.25);
}

/** Characters per line in each font, as markup's column lines count them (the printer's `columns` on a label). */
export function labelColumns(metrics: LabelMetrics): { columns: number; fontBColumns: number } {
  return { columns: Math.floor(metrics.block / cellWidth(metrics.charA)), fontBColumns: Math.floor(metrics.block / cellWidth(metrics.charB)) };
}

export interface TextRun {
  text: string;
  style: LabelStyle;
}

/** Estimated width of a run in dots: one cell per character. */
export function runWidth(run: TextRun, metrics: LabelMetrics): number {
  return [...run.text].length * cellWidth(charSize(run.style, metrics).width);
}

/**
 * Breaks a line of runs into lines no wider than the block: at spaces where it can (the spaces at a
 * break are dropped), inside a word longer than a line where it must.
 */
export function wrapRuns(runs: readonly TextRun[], metrics: LabelMetrics): TextRun[][] {
  const lines: TextRun[][] = [[]];
  let used = 0;
  const put = (text: string, style: LabelStyle): void => {
    const line = lines[lines.length - 1]!;
    const last = line[line.length - 1];
    if (last && last.style === style) last.text += text;
    else line.push({ text, style });
  };
  const breakLine = (): void => {
    lines.push([]);
    used = 0;
  };
  for (const run of runs) {
    const cell = cellWidth(charSize(run.style, metrics).width);
    for (const token of run.text.split(/( +)/)) {
      if (token === '') continue;
      const width = [...token].length * cell;
      if (used + width <= metrics.block) {
        put(token, run.style);
        used += width;
      } else if (token.startsWith(' ')) {
        breakLine();
      } else {
        if (used > 0) breakLine();
        for (const char of token) {
          if (used + cell > metrics.block && used > 0) breakLine();
          put(char, run.style);
          used += cell;
        }
      }
    }
  }
  return lines.map((line) => trimEnd(line)).filter((line, index, all) => line.length > 0 || all.length === 1);
}

function trimEnd(line: TextRun[]): TextRun[] {
  const out = line.map((run) => ({ ...run }));
  while (out.length > 0 && out[out.length - 1]!.text.trimEnd() === '') out.pop();
  if (out.length > 0) out[out.length - 1]!.text = out[out.length - 1]!.text.trimEnd();
  return out;
}
