import type { RgbaImage } from './bitmap.js';

/**
 * Grey levels (0 black … 255 white) of an RGBA image scaled to `width` × `height` by box averaging
 * (down) or nearest neighbour (up: keeps logos and QR codes in images crisp instead of grey-edged).
 * Transparent pixels count as white paper.
 */
export function scaleToGrey(image: RgbaImage, width: number, height: number): Float32Array {
  const grey = toGrey(image);
  const out = new Float32Array(width * height);
  const sx = image.width / width;
  const sy = image.height / height;
  for (let y = 0; y < height; y++) {
    const y0 = y * sy;
    const y1 = Math.min(image.height, (y + 1) * sy);
    for (let x = 0; x < width; x++) {
      const x0 = x * sx;
      const x1 = Math.min(image.width, (x + 1) * sx);
      out[y * width + x] = sx >= 1 && sy >= 1 ? boxAverage(grey, image.width, x0, x1, y0, y1) : nearest(grey, image.width, image.height, (x + 0.5) * sx, (y + 0.5) * sy);
    }
  }
  return out;
}

function toGrey(image: RgbaImage): Float32Array {
  const grey = new Float32Array(image.width * image.height);
  const { data } = image;
  for (let i = 0; i < grey.length; i++) {
    const alpha = data[i * 4 + 3]! / 255;
    const luma = 0.299 * data[i * 4]! + 0.587 * data[i * 4 + 1]! + 0.114 * data[i * 4 + 2]!;
    grey[i] = luma * alpha + 255 * (1 - alpha);
  }
  return grey;
}

function boxAverage(grey: Float32Array, stride: number, x0: number, x1: number, y0: number, y1: number): number {
  let sum = 0;
  let weight = 0;
  for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
    const wy = Math.min(y + 1, y1) - Math.max(y, y0);
    for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
      const w = wy * (Math.min(x + 1, x1) - Math.max(x, x0));
      sum += grey[y * stride + x]! * w;
      weight += w;
    }
  }
  return weight > 0 ? sum / weight : 255;
}

function nearest(grey: Float32Array, width: number, height: number, fx: number, fy: number): number {
  const x = Math.min(width - 1, Math.floor(fx));
  const y = Math.min(height - 1, Math.floor(fy));
  return grey[y * width + x]!;
}
