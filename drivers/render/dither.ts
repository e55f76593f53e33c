import type { Bitmap } from './bitmap.js';

export type DitherAlgorithm = 'floyd-steinberg' | 'atkinson' | 'threshold';

type Spread = readonly (readonly [dx: number, dy: number, weight: number])[];

const FLOYD_STEINBERG: Spread = [[1, 0, 7 / 16], [-1, 1, 3 / 16], [0, 1, 5 / 16], [1, 1, 1 / 16]];
// Atkinson spreads 6/8 of the error: crisper, lighter, good for logos on thermal paper.
const ATKINSON: Spread = [[1, 0, 1 / 8], [2, 0, 1 / 8], [-1, 1, 1 / 8], [0, 1, 1 / 8], [1, 1, 1 / 8], [0, 2, 1 / 8]];

/** Turns grey levels (0 black … 255 white) into dots. Pixels darker than `threshold` become black. */
export function dither(grey: Float32Array, width: number, height: number, algorithm: DitherAlgorithm, threshold = 128): Bitmap {
  const work = Float32Array.from(grey);
  const data = new Uint8Array(width * height);
  const spread = algorithm === 'atkinson' ? ATKINSON : algorithm === 'floyd-steinberg' ? FLOYD_STEINBERG : [];
  const dxs = spread.map(([dx]) => dx);
  const dys = spread.map(([, dy]) => dy);
  const weights = spread.map(([, , weight]) => weight);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const old = work[i]!;
      const black = old < threshold;
      data[i] = black ? 1 : 0;
      const error = old - (black ? 0 : 255);
      // Pure black and white pixels (logos, labels, codes) spread no error.
      if (error === 0) continue;
      for (let k = 0; k < dxs.length; k++) {
        const nx = x + dxs[k]!;
        const ny = y + dys[k]!;
        if (nx >= 0 && nx < width && ny < height) work[ny * width + nx]! += error * weights[k]!;
      }
    }
  }
  return { width, height, data };
}
