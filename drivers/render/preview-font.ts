import { PREVIEW_FONT_A, PREVIEW_FONT_B, type BitmapFontData } from './preview-font-data.js';

/** A monospace bitmap font decoded from its data: glyphs by code point as width × height pixels (1 = ink). */
export class PreviewFont {
  readonly width: number;
  readonly height: number;
  readonly ascent: number;
  private readonly bits: Buffer;
  /** Index of the first glyph of each range. */
  private readonly starts: number[];

  constructor(private readonly data: BitmapFontData) {
    this.width = data.width;
    this.height = data.height;
    this.ascent = data.ascent;
    this.bits = Buffer.from(data.glyphs, 'base64');
    let index = 0;
    this.starts = data.ranges.map(([first, last]) => {
      const start = index;
      index += last - first + 1;
      return start;
    });
  }

  private indexOf(codePoint: number): number | undefined {
    const { ranges } = this.data;
    let low = 0;
    let high = ranges.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const [first, last] = ranges[mid]!;
      if (codePoint < first) high = mid - 1;
      else if (codePoint > last) low = mid + 1;
      else return this.starts[mid]! + codePoint - first;
    }
    return undefined;
  }

  has(codePoint: number): boolean {
    return this.indexOf(codePoint) !== undefined;
  }

  /** The glyph's pixels, row by row, or undefined when the font lacks it. */
  glyph(codePoint: number): Uint8Array | undefined {
    const index = this.indexOf(codePoint);
    if (index === undefined) return undefined;
    const size = this.width * this.height;
    const pixels = new Uint8Array(size);
    const offset = index * size;
    for (let p = 0; p < size; p++) {
      const bit = offset + p;
      pixels[p] = (this.bits[bit >> 3]! >> (7 - (bit & 7))) & 1;
    }
    return pixels;
  }
}

export interface PreviewFonts {
  A: PreviewFont;
  B: PreviewFont;
}

/** The preview's fonts A (10×20 in a 12×24 cell) and B (9×15 in a 9×17 cell), public-domain X11 misc-fixed. */
export function previewFonts(): PreviewFonts {
  return { A: new PreviewFont(PREVIEW_FONT_A), B: new PreviewFont(PREVIEW_FONT_B) };
}
