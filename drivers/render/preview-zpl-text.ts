import { NOTE, INK, type PreviewBand } from './preview-canvas.js';
import type { PreviewFont } from './preview-font.js';
import type { ZplTextField } from './encode-zpl.js';

/** Width of a character of font 0 in the preview, as a share of its height (about 16 dots at 28 high: 52 per 104 mm line at 203 dpi). */
const CHAR_WIDTH_RATIO = 4 / 7;

export interface ZplTextPainterDeps {
  font: PreviewFont;
  /** Code points drawn as a grey box because the preview font lacks them. */
  missing: Set<number>;
}

/**
 * Draws ^A0 text fields as the label places them: from the field origin (^FO), each character in
 * a cell as high as the font size sent and 4/7 as wide, the preview glyph scaled into the cell.
 * The printer's font 0 is proportional, so widths are approximate; positions and heights are the
 * ones sent. Characters past the field block's right edge (^FB) are not drawn.
 */
export class ZplTextPainter {
  /** Fields cut off at the field block's edge so far. */
  clipped = 0;

  constructor(private readonly deps: ZplTextPainterDeps) {}

  /** Cell width for a font size. */
  static cellWidth(charDots: number): number {
    return Math.max(1, Math.round(charDots * CHAR_WIDTH_RATIO));
  }

  /** Draws one field with the label's top at `top` on the band. */
  draw(band: PreviewBand, field: ZplTextField, top: number): void {
    const width = ZplTextPainter.cellWidth(field.charDots);
    const right = field.x + field.blockWidth;
    let x = field.x;
    for (const char of field.text) {
      if (x + width > right) {
        this.clipped += 1;
        return;
      }
      this.drawChar(band, x, top + field.y, width, field.charDots, char.codePointAt(0)!);
      x += width;
    }
  }

  private drawChar(band: PreviewBand, x: number, y: number, width: number, height: number, codePoint: number): void {
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
        if (glyph[gy * font.width + gx]) band.set(x + tx, y + ty, INK);
      }
    }
  }
}
