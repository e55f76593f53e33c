import type { PreviewResult } from '../../src/driver-api/index.js';
import type { Bitmap } from './bitmap.js';
import { labelLength, type ZplLabel, type ZplTextField } from './encode-zpl.js';
import { INK, NOTE, PAPER, PreviewCanvas } from './preview-canvas.js';
import { previewFonts } from './preview-font.js';
import { MAX_PREVIEW_DOTS } from './preview-receipt.js';
import { ZplTextPainter } from './preview-zpl-text.js';

/** What a label holds, in the order the printer lays it down (later fields print over earlier ones). */
export type LabelItem =
  /** ^GF: the dots at x, y (white bits leave the label as it is). */
  | { kind: 'graphic'; x: number; y: number; bitmap: Bitmap }
  /** ^A…^FD: one line of text. */
  | { kind: 'text'; field: ZplTextField }
  /** ^GB: a box outline `thickness` dots wide (solid when the thickness fills it), black or white. */
  | { kind: 'box'; x: number; y: number; width: number; height: number; thickness: number; colour: 'B' | 'W' };

/** One label to draw: ^PW × ^LL and its fields. */
export interface LabelDrawing {
  widthDots: number;
  lengthDots: number;
  items: LabelItem[];
}

export interface ZplPreviewContext {
  /** The label width sent as ^PW (the profile's printable width in dots): the width of the PNG. */
  widthDots: number;
  dotsPerMM: number;
  /** Warnings of the document so far; the preview's own are added. */
  warnings: string[];
}

/** Height of the grey strip between two labels: the gap between labels on the liner, about 3 mm. */
export function separatorDots(dotsPerMM: number): number {
  return Math.max(1, Math.round(3 * dotsPerMM));
}

/** The drawing of a label the encoder sends. */
export function labelDrawing(label: ZplLabel): LabelDrawing {
  const items: LabelItem[] =
    label.kind === 'graphic' ? [{ kind: 'graphic', x: 0, y: 0, bitmap: label.bitmap }] : label.fields.map((field) => ({ kind: 'text', field }));
  return { widthDots: label.widthDots, lengthDots: labelLength(label), items };
}

/**
 * Draws one copy of a ZPL job from the labels the encoder sends: ^GF graphics are the very dots
 * sent; text fields are drawn at their ^FO origin and ^A0 height in the preview's font (said in
 * the warnings, as the printer's font 0 differs). Copies (^PQ) are not repeated.
 */
export function previewZpl(labels: readonly ZplLabel[], ctx: ZplPreviewContext): PreviewResult {
  return previewLabels(labels.map(labelDrawing), ctx);
}

/** Draws labels one below the other, each as long as its ^LL, with a grey strip between two labels. */
export function previewLabels(labels: readonly LabelDrawing[], ctx: ZplPreviewContext): PreviewResult {
  const canvas = new PreviewCanvas(ctx.widthDots, MAX_PREVIEW_DOTS);
  const warnings = [...ctx.warnings];
  const missing = new Set<number>();
  const text = new ZplTextPainter({ font: previewFonts().A, missing });
  let drawn = 0;
  let textFields = 0;
  for (const [index, label] of labels.entries()) {
    if (index > 0) {
      const gap = canvas.band(Math.min(separatorDots(ctx.dotsPerMM), canvas.maxHeight - canvas.height));
      if (!gap) break;
      gap.fillRect(0, 0, gap.width, gap.height, NOTE);
    }
    const band = canvas.band(Math.min(label.lengthDots, canvas.maxHeight - canvas.height));
    if (!band) break;
    for (const item of label.items) {
      if (item.kind === 'graphic') band.blit(item.bitmap, item.x, item.y);
      else if (item.kind === 'box') band.strokeRect(item.x, item.y, item.width, item.height, item.colour === 'W' ? PAPER : INK, item.thickness);
      else {
        textFields += 1;
        text.draw(band, item.field, 0);
      }
    }
    // A label cut off at the bottom of the canvas is drawn as far as it fits, but not counted whole.
    if (band.height < label.lengthDots) break;
    drawn += 1;
  }
  if (drawn < labels.length) {
    warnings.push(`preview: only the first ${MAX_PREVIEW_DOTS} dots are drawn (${drawn} of ${labels.length} labels whole)`);
  }
  if (textFields > 0) {
    warnings.push("preview: text is drawn in the preview's monospace font at the position and height sent; the printer's fonts (font 0 is proportional) differ in width");
  }
  if (text.clipped > 0) warnings.push(`preview: ${text.clipped} text line(s) reach past the field block in the preview font and are cut off at its edge`);
  if (missing.size > 0) {
    const list = [...missing].slice(0, 8).map((code) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`);
    warnings.push(`preview: the preview font has no glyph for ${list.join(', ')}${missing.size > 8 ? ', …' : ''}; drawn as grey boxes`);
  }
  return { png: canvas.toPng(), width: canvas.width, height: canvas.height, warnings: [...new Set(warnings)] };
}
