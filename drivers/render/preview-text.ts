import { INK, PAPER, type PreviewBand, type PreviewPixel } from './preview-canvas.js';
import type { PreviewFont, PreviewFonts } from './preview-font.js';

/** The printer's character cells in dots: font A 12×24, font B 9×17 (narrower when the paper holds more columns). */
export interface CellMetrics {
  A: { width: number; height: number };
  B: { width: number; height: number };
}

/** Text attributes as the printer holds them; they persist until changed. */
export interface TextStyle {
  font: 'A' | 'B';
  bold: boolean;
  underline: boolean;
  invert: boolean;
  /** Magnification, 1-8. */
  width: number;
  height: number;
}

export interface TextRun {
  text: string;
  style: TextStyle;
}

export const PLAIN_STYLE: TextStyle = { font: 'A', bold: false, underline: false, invert: false, width: 1, height: 1 };

/** Dots between the tops of two lines of unmagnified font A (the printers' default line spacing, about 4 mm). */
export const LINE_SPACING = 32;

/** Dots one run takes up: its cells, magnified. */
export function runHeight(run: TextRun, cells: CellMetrics): number {
  return cells[run.style.font].height * run.style.height;
}

/** How tall a band a line of runs needs: the tallest cell, at least the default line spacing. */
export function lineBandHeight(runs: readonly TextRun[], cells: CellMetrics): number {
  const tallest = Math.max(0, ...runs.map((run) => runHeight(run, cells)));
  return tallest <= cells.A.height ? LINE_SPACING : tallest + (LINE_SPACING - cells.A.height);
}

export interface TextPainterDeps {
  fonts: PreviewFonts;
  cells: CellMetrics;
  /** Code points drawn as an empty box because the preview font lacks them. */
  missing: Set<number>;
}

/**
 * Draws runs of text on a band the way the printer places them: cells side by side from the left
 * edge, bottoms on one line (`bottom`), each glyph centred in its cell and magnified dot by dot.
 */
export class TextPainter {
  constructor(private readonly deps: TextPainterDeps) {}

  /** Draws the runs from x = `left`; returns the x after the last cell. */
  drawRuns(band: PreviewBand, runs: readonly TextRun[], bottom: number, left = 0, ink: PreviewPixel = INK): number {
    let x = left;
    for (const run of runs) {
      const cell = this.deps.cells[run.style.font];
      const width = cell.width * run.style.width;
      const top = bottom - cell.height * run.style.height;
      for (const char of run.text) {
        if (x >= band.width) return x;
        this.drawChar(band, x, top, char.codePointAt(0)!, run.style, ink);
        x += width;
      }
    }
    return x;
  }

  /** The width in dots of the runs. */
  measure(runs: readonly TextRun[]): number {
    return runs.reduce((sum, run) => sum + [...run.text].length * this.deps.cells[run.style.font].width * run.style.width, 0);
  }

  private drawChar(band: PreviewBand, x: number, top: number, codePoint: number, style: TextStyle, ink: PreviewPixel): void {
    const cell = this.deps.cells[style.font];
    const font: PreviewFont = this.deps.fonts[style.font];
    const sx = style.width;
    const sy = style.height;
    const cellWidth = cell.width * sx;
    const cellHeight = cell.height * sy;
    if (style.invert) band.fillRect(x, top, cellWidth, cellHeight, ink);
    const dot = style.invert ? PAPER : ink;
    const ox = Math.max(0, Math.floor((cell.width - font.width) / 2));
    const oy = Math.max(0, Math.floor((cell.height - font.height) / 2));
    const glyph = codePoint === 0x20 ? undefined : font.glyph(codePoint);
    if (glyph) {
      for (let gy = 0; gy < font.height; gy++) {
        for (let gx = 0; gx < font.width; gx++) {
          if (!glyph[gy * font.width + gx] || ox + gx >= cell.width) continue;
          const px = x + (ox + gx) * sx;
          const py = top + (oy + gy) * sy;
          // Emphasis strikes every dot twice, the second one dot to the right.
          band.fillRect(px, py, sx + (style.bold ? 1 : 0), sy, dot);
        }
      }
      if (codePoint >= 0x2500 && codePoint <= 0x259f) this.stretchToCell(band, x, top, glyph, font, style, dot);
    } else if (codePoint !== 0x20) {
      this.deps.missing.add(codePoint);
      band.strokeRect(x + sx, top + oy * sy, cellWidth - 2 * sx, font.height * sy, dot);
    }
    if (style.underline) band.fillRect(x, top + cellHeight - 2, cellWidth, 2, dot);
  }

  /** Box-drawing and block characters reach the cell's edges, so lines and shades join up as on paper. */
  private stretchToCell(band: PreviewBand, x: number, top: number, glyph: Uint8Array, font: PreviewFont, style: TextStyle, dot: PreviewPixel): void {
    const cell = this.deps.cells[style.font];
    const sx = style.width;
    const sy = style.height;
    const ox = Math.max(0, Math.floor((cell.width - font.width) / 2));
    const oy = Math.max(0, Math.floor((cell.height - font.height) / 2));
    const right = Math.min(cell.width, ox + font.width);
    const bottom = Math.min(cell.height, oy + font.height);
    for (let gy = 0; gy < font.height; gy++) {
      const py = top + (oy + gy) * sy;
      if (glyph[gy * font.width]) band.fillRect(x, py, ox * sx, sy, dot);
      if (glyph[gy * font.width + font.width - 1]) band.fillRect(x + right * sx, py, (cell.width - right) * sx, sy, dot);
    }
    for (let gx = 0; gx < font.width && ox + gx < cell.width; gx++) {
      const px = x + (ox + gx) * sx;
      if (glyph[gx]) band.fillRect(px, top, sx, oy * sy, dot);
      if (glyph[(font.height - 1) * font.width + gx]) band.fillRect(px, top + bottom * sy, sx, (cell.height - bottom) * sy, dot);
    }
  }
}
