import type { PreviewResult } from '../../src/driver-api/index.js';
import { INK, NOTE, PAPER, PreviewCanvas, previewHeightLimit, type PreviewBand } from './preview-canvas.js';
import { barcodeBars } from './preview-barcode.js';
import { previewFonts } from './preview-font.js';
import { encodeQr } from './preview-qr.js';
import { ZplTextPainter } from './preview-zpl-text.js';
import type { LabelItem, ZplLabel } from './zpl-label.js';

/** One label to draw: ^PW × ^LL and its fields (the labels the encoder sends, or those read from raw ZPL). */
export type LabelDrawing = ZplLabel;
export type { LabelItem };

export interface ZplPreviewContext {
  /** The label width sent as ^PW (the profile's printable width in dots): the width of the PNG. */
  widthDots: number;
  dotsPerMM: number;
  /** Warnings of the document so far; the preview's own are added. */
  warnings: string[];
  /** The budget's pixels: the preview is no larger (default: no limit but the preview's own). */
  maxPixels?: number;
}

/** Height of the grey strip between two labels: the gap between labels on the liner, about 3 mm. */
export function separatorDots(dotsPerMM: number): number {
  return Math.max(1, Math.round(3 * dotsPerMM));
}

/**
 * Draws labels one below the other, each as long as its ^LL, with a grey strip between two labels:
 * ^GF graphics are the very dots sent; text fields at their ^FO origin, ^A0 size and ^FB
 * justification in the preview's font (said in the warnings: the printer's font 0 differs);
 * barcodes and QR codes from their data with the preview's encoders (others as grey boxes).
 * Copies (^PQ) are not repeated.
 */
export function previewLabels(labels: readonly LabelDrawing[], ctx: ZplPreviewContext): PreviewResult {
  const canvas = new PreviewCanvas(ctx.widthDots, previewHeightLimit(ctx.widthDots, ctx.maxPixels ?? Number.POSITIVE_INFINITY));
  const warnings = [...ctx.warnings];
  const missing = new Set<number>();
  const text = new ZplTextPainter({ font: previewFonts().A, missing });
  const notes = new Set<string>();
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
      if (item.kind === 'text') textFields += 1;
      drawItem(band, item, text, notes);
    }
    // A label cut off at the bottom of the canvas is drawn as far as it fits, but not counted whole.
    if (band.height < label.lengthDots) break;
    drawn += 1;
  }
  if (drawn < labels.length) {
    warnings.push(`preview: only the first ${canvas.maxHeight} dots are drawn (${drawn} of ${labels.length} labels whole)`);
  }
  if (textFields > 0) {
    warnings.push("preview: text is drawn in the preview's monospace font at the position and height sent; the printer's fonts (font 0 is proportional) differ in width");
  }
  warnings.push(...notes);
  if (text.clipped > 0) warnings.push(`preview: ${text.clipped} text line(s) reach past the field block in the preview font and are cut off at its edge`);
  if (missing.size > 0) {
    const list = [...missing].slice(0, 8).map((code) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`);
    warnings.push(`preview: the preview font has no glyph for ${list.join(', ')}${missing.size > 8 ? ', …' : ''}; drawn as grey boxes`);
  }
  return { png: canvas.toPng(), width: canvas.width, height: canvas.height, warnings: [...new Set(warnings)] };
}

function drawItem(band: PreviewBand, item: LabelItem, text: ZplTextPainter, notes: Set<string>): void {
  switch (item.kind) {
    case 'graphic':
      band.blit(item.bitmap, item.x, item.y);
      return;
    case 'box':
      band.strokeRect(item.x, item.y, item.width, item.height, item.colour === 'W' ? PAPER : INK, item.thickness);
      return;
    case 'text':
      text.draw(band, item.field, 0);
      return;
    case 'qrcode': {
      const symbol = encodeQr(Buffer.from(item.data, 'utf8'), item.errorLevel);
      if (!symbol) {
        notes.add('preview: a QR code with too much data is shown as a grey box');
        band.strokeRect(item.x, item.y, 177 * item.cell, 177 * item.cell, NOTE, 2);
        return;
      }
      for (let row = 0; row < symbol.size; row++) {
        for (let col = 0; col < symbol.size; col++) {
          if (symbol.modules[row * symbol.size + col]) band.fillRect(item.x + col * item.cell, item.y + row * item.cell, item.cell, item.cell, INK);
        }
      }
      return;
    }
    case 'barcode': {
      const bars = barcodeBars(item.symbology, item.data);
      if (!bars) {
        notes.add(`preview: ${item.symbology} barcodes are drawn by the printer; the preview shows a grey box`);
        band.strokeRect(item.x, item.y, Math.max(8, item.data.length * 11 * item.moduleDots), item.heightDots, NOTE, 2);
        return;
      }
      bars.modules.forEach((bar, i) => {
        if (bar) band.fillRect(item.x + i * item.moduleDots, item.y, item.moduleDots, item.heightDots, INK);
      });
      if (item.hri) {
        const charDots = Math.max(10, Math.round(item.moduleDots * 9));
        const width = bars.modules.length * item.moduleDots;
        text.draw(band, { x: item.x, y: item.y + item.heightDots + 2, charDots, blockWidth: width, justify: 'C', text: bars.text }, 0);
      }
      return;
    }
  }
}
