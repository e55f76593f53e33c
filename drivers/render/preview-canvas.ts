import { PNG } from 'pngjs';
import type { Bitmap } from './bitmap.js';

/** What a preview pixel shows: paper, a printed dot, or a note the printer does not print (cut marks, placeholders). */
export const PAPER = 0;
export const INK = 1;
export const NOTE = 2;
export type PreviewPixel = typeof PAPER | typeof INK | typeof NOTE;

/** Tallest preview drawn, in dots (about 6 m of receipt at 203 dpi); the rest is left off with a warning. */
export const MAX_PREVIEW_DOTS = 50_000;

/** How tall a preview `width` dots wide may be: MAX_PREVIEW_DOTS, less when the budget's pixels run out first. */
export function previewHeightLimit(width: number, maxPixels: number): number {
  return Math.max(1, Math.min(MAX_PREVIEW_DOTS, Math.floor(maxPixels / Math.max(1, width))));
}

/** Grey level in the PNG per pixel kind: white paper, black dots, mid-grey notes. */
const GREY: Record<PreviewPixel, number> = { [PAPER]: 255, [INK]: 0, [NOTE]: 160 };

/** One horizontal strip of the receipt, as wide as the paper: a line of text, an image, a cut mark. */
export class PreviewBand implements Bitmap {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height);
  }

  set(x: number, y: number, value: PreviewPixel): void {
    if (x >= 0 && x < this.width && y >= 0 && y < this.height) this.data[y * this.width + x] = value;
  }

  fillRect(x: number, y: number, width: number, height: number, value: PreviewPixel): void {
    for (let row = Math.max(0, y); row < Math.min(this.height, y + height); row++) {
      for (let col = Math.max(0, x); col < Math.min(this.width, x + width); col++) this.data[row * this.width + col] = value;
    }
  }

  strokeRect(x: number, y: number, width: number, height: number, value: PreviewPixel, thickness = 1): void {
    this.fillRect(x, y, width, thickness, value);
    this.fillRect(x, y + height - thickness, width, thickness, value);
    this.fillRect(x, y, thickness, height, value);
    this.fillRect(x + width - thickness, y, thickness, height, value);
  }

  /** Copies a 1-bit bitmap's dots (1 = ink) with its top left at x, y. */
  blit(bitmap: Bitmap, x: number, y: number): void {
    for (let row = 0; row < bitmap.height; row++) {
      for (let col = 0; col < bitmap.width; col++) {
        if (bitmap.data[row * bitmap.width + col]) this.set(x + col, y + row, INK);
      }
    }
  }
}

/** The receipt as bands stacked top to bottom, at most `maxHeight` dots tall. */
export class PreviewCanvas {
  private readonly bands: PreviewBand[] = [];
  private rows = 0;

  constructor(
    readonly width: number,
    readonly maxHeight: number,
  ) {}

  get height(): number {
    return this.rows;
  }

  /** A new band below the others, or undefined once the canvas is full. */
  band(height: number): PreviewBand | undefined {
    if (height <= 0 || this.rows + height > this.maxHeight) return undefined;
    const band = new PreviewBand(this.width, height);
    this.bands.push(band);
    this.rows += height;
    return band;
  }

  /** 8-bit greyscale PNG of the bands (white paper when nothing was drawn). */
  toPng(): Uint8Array {
    const height = Math.max(1, this.rows);
    const grey = Buffer.alloc(this.width * height, GREY[PAPER]);
    let offset = 0;
    for (const band of this.bands) {
      for (let i = 0; i < band.data.length; i++) grey[offset + i] = GREY[band.data[i] as PreviewPixel];
      offset += band.data.length;
    }
    const png = new PNG({ width: this.width, height, colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
    png.data = grey;
    return PNG.sync.write(png, { colorType: 0, inputColorType: 0, inputHasAlpha: false, bitDepth: 8 });
  }
}
