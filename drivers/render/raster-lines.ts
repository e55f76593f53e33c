import { DriverError } from '../../src/driver-api/index.js';

/** One page of a PWG or Apple raster as grey levels: 0 black … 255 white, one byte per pixel. */
export interface GreyPage {
  width: number;
  height: number;
  /** Horizontal and vertical resolution the client drew the page at, in dots per inch. */
  xDpi: number;
  yDpi: number;
  grey: Uint8Array;
}

/** How a raster's pixels are laid out: bits per pixel, colours per pixel, and how a colour is read. */
export interface PixelFormat {
  bitsPerPixel: number;
  /** Turns one pixel's bytes (`bytesPerPixel` of them; 1-bit rows are read a byte at a time) into grey. */
  kind: 'black1' | 'grey8' | 'white8' | 'rgb8' | 'rgb16' | 'cmyk8' | 'grey16';
  /** The fill byte of a blank (code 128) run: white paper in this colour space. */
  blank: number;
}

/**
 * Decodes the line compression shared by PWG raster (PWG 5102.4 §4.3) and Apple raster: per line
 * group a repeat byte (the line is used n+1 times), then runs — 0…127: the next pixel n+1 times;
 * 129…255: 257-n literal pixels; 128: the rest of the line is blank. Bytes of a pixel are
 * `bytesPerPixel` (a byte of eight dots for 1-bit rasters). Calls `line` with each decoded line
 * (the same buffer, reused) as many times as it repeats; returns where the page's data ends.
 * Runs that overflow a line or a page that ends early are DOCUMENT_FORMAT_ERROR.
 */
export function decodeLines(
  bytes: Uint8Array,
  start: number,
  geometry: { bytesPerLine: number; bytesPerPixel: number; height: number; blank: number },
  what: string,
  line: ((row: Uint8Array, y: number) => void) | null,
): number {
  const { bytesPerLine, bytesPerPixel, height, blank } = geometry;
  const row = new Uint8Array(bytesPerLine);
  let at = start;
  let y = 0;
  const cut = (): never => {
    throw new DriverError('DOCUMENT_FORMAT_ERROR', `the ${what} ends inside page data (line ${y + 1} of ${height})`);
  };
  while (y < height) {
    if (at >= bytes.length) cut();
    const repeat = bytes[at++]! + 1;
    let x = 0;
    while (x < bytesPerLine) {
      if (at >= bytes.length) cut();
      const code = bytes[at++]!;
      if (code === 128) {
        row.fill(blank, x);
        x = bytesPerLine;
      } else if (code < 128) {
        const count = (code + 1) * bytesPerPixel;
        if (x + count > bytesPerLine) throw new DriverError('DOCUMENT_FORMAT_ERROR', `the ${what} has a run past the end of line ${y + 1}`);
        if (at + bytesPerPixel > bytes.length) cut();
        for (let k = 0; k < count; k += bytesPerPixel) row.set(bytes.subarray(at, at + bytesPerPixel), x + k);
        at += bytesPerPixel;
        x += count;
      } else {
        const count = (257 - code) * bytesPerPixel;
        if (x + count > bytesPerLine) throw new DriverError('DOCUMENT_FORMAT_ERROR', `the ${what} has literal pixels past the end of line ${y + 1}`);
        if (at + count > bytes.length) cut();
        row.set(bytes.subarray(at, at + count), x);
        at += count;
        x += count;
      }
    }
    for (let k = 0; k < repeat && y < height; k++, y++) line?.(row, y);
  }
  return at;
}

/** One decoded line as grey levels into `out` (the page's row `y`). */
export function lineToGrey(row: Uint8Array, format: PixelFormat, width: number, out: Uint8Array, offset: number): void {
  switch (format.kind) {
    case 'black1':
      for (let x = 0; x < width; x++) out[offset + x] = (row[x >> 3]! & (0x80 >> (x & 7))) !== 0 ? 0 : 255;
      return;
    case 'grey8':
      for (let x = 0; x < width; x++) out[offset + x] = row[x]!;
      return;
    case 'white8':
      // DeviceGray-like black (K) ink: 0 is white paper.
      for (let x = 0; x < width; x++) out[offset + x] = 255 - row[x]!;
      return;
    case 'grey16':
      for (let x = 0; x < width; x++) out[offset + x] = row[x * 2]!;
      return;
    case 'rgb8':
      for (let x = 0, p = 0; x < width; x++, p += 3) out[offset + x] = Math.round(0.299 * row[p]! + 0.587 * row[p + 1]! + 0.114 * row[p + 2]!);
      return;
    case 'rgb16':
      for (let x = 0, p = 0; x < width; x++, p += 6) out[offset + x] = Math.round(0.299 * row[p]! + 0.587 * row[p + 2]! + 0.114 * row[p + 4]!);
      return;
    case 'cmyk8':
      for (let x = 0, p = 0; x < width; x++, p += 4) {
        const ink = row[p + 3]! + 0.299 * row[p]! + 0.587 * row[p + 1]! + 0.114 * row[p + 2]!;
        out[offset + x] = Math.max(0, Math.round(255 - Math.min(255, ink)));
      }
      return;
  }
}
