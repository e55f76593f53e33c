import { PNG } from 'pngjs';

let cached: Buffer | null = null;

/**
 * printer-icons (PWG 5100.13): a 128×128 PNG, drawn once — a paper roll feeding a sheet with
 * printed lines — so clients that show an icon have one without a file on disk.
 */
export function printerIcon(): Buffer {
  if (cached) return cached;
  const size = 128;
  const png = new PNG({ width: size, height: size });
  const paint = (x0: number, y0: number, x1: number, y1: number, grey: number): void => {
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = (y * size + x) * 4;
        png.data[i] = png.data[i + 1] = png.data[i + 2] = grey;
        png.data[i + 3] = 255;
      }
    }
  };
  png.data.fill(0);
  paint(16, 40, 112, 88, 60); // body
  paint(32, 8, 96, 40, 240); // paper in
  paint(32, 72, 96, 124, 250); // receipt out
  for (let line = 0; line < 4; line++) paint(40, 80 + line * 10, line === 3 ? 70 : 88, 84 + line * 10, 90);
  cached = PNG.sync.write(png);
  return cached;
}
