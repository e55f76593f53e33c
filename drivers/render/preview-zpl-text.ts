import { cellWidth } from './label-text.js';
import { NOTE, INK, PAPER, type PreviewBand } from './preview-canvas.js';
import type { PreviewFont } from './preview-font.js';
import type { ZplTextField } from './zpl-label.js';

export interface ZplTextPainterDeps {
  font: PreviewFont;
  /** Code points drawn as a grey box because the preview font lacks them. */
  missing: Set<number>;
}

/**
 * Draws ^A0 text fields as the label places them: from the field origin (^FO), justified in the
 * field block (^FB) as sent, each character in a cell as high as the font height sent and 4/7 of
 * the font width wide, the preview glyph scaled into the cell; reversed fields (^FR) in white.
 * The printer's font 0 is proportional, so widths are approximate; positions and heights are the
 * ones sent. Characters past the field block's edge are not drawn.
 */
export class ZplTextPainter {
  /** Fields cut off at the field block's edge so far. */
  clipped = 0;

  constructor(private readonly deps: ZplTextPainterDeps) {}

  /** Cell width for a font width. */
  static cellWidth(charWidthDots: number): number {
    return cellWidth(charWidthDots);
  }

  /** Draws one field with the label's top at `top` on the band. */
  draw(band: PreviewBand, field: ZplTextField, top: number): void {
    const width = cellWidth(field.charWidthDots ?? field.charDots);
    const chars = [...field.text];
    const room = Math.floor(field.blockWidth / width);
    const shown = chars.slice(0, Math.max(0, room));
    if (shown.length < chars.length) this.clipped += 1;
    const used = shown.length * width;
    const justify = field.justify ?? 'L';
    let x = field.x + (justify === 'R' ? field.blockWidth - used : justify === 'C' ? Math.floor((field.blockWidth - used) / 2) : 0);
    for (const char of shown) {
      this.drawChar(band, x, top + field.y, width, field.charDots, char.codePointAt(0)!, field.reverse ? PAPER : INK);
      x += width;
    }
  }

  private drawChar(band: PreviewBand, x: number, y: number, width: number, height: number, codePoint: number, ink: typeof INK | typeof PAPER): void {
    if (codePoint === 0x20) return;
    const { font } = this.deps;
    const glyph = font.glyph(codePoint);
    if (!glyph) {
      this.deps.missing.add(codePoint);
      band.strokeRect(x + 1, y + 1, width - 2, height - 2, NOTE);
      return;
    }
    for (let ty = 0; ty < height; ty++) {
      const gy = Math.floor((ty * font.height) / height);
      for (let tx = 0; tx < width; tx++) {
        const gx = Math.floor((tx * font.width) / width);
        if (glyph[gy * font.width + gx]) band.set(x + tx, y + ty, ink);
      }
    }
  }
}
