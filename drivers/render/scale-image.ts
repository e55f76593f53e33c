import type { RgbaImage } from './bitmap.js';

/**
 * Grey levels (0 black … 255 white) of an RGBA image scaled to `width` × `height`: box averaging
 * down (over exact `factor` × `factor` blocks when a whole factor is given), nearest neighbour up
 * (keeps logos and codes crisp instead of grey-edged); 1:1 is each pixel as it is. Transparent
 * pixels count as white paper. Greys are computed as the pixels are read: no full-size copy.
 */
export function scaleToGrey(image: RgbaImage, width: number, height: number, factor?: number): Float32Array {
  const out = new Float32Array(width * height);
  const sx = factor ?? image.width / width;
  const sy = factor ?? image.height / height;
  if (sx === 1 && sy === 1) {
    // One pixel, one dot: the common case, kept tight (no call per pixel).
    const { data } = image;
    for (let i = 0, p = 0; i < out.length; i++, p += 4) {
      const alpha = data[p + 3]! / 255;
      out[i] = (0.299 * data[p]! + 0.587 * data[p + 1]! + 0.114 * data[p + 2]!) * alpha + 255 * (1 - alpha);
    }
    return out;
  }
  const down = sx >= 1 && sy >= 1;
  for (let y = 0; y < height; y++) {
    const y0 = y * sy;
    const y1 = Math.min(image.height, (y + 1) * sy);
    for (let x = 0; x < width; x++) {
      const x0 = x * sx;
      const x1 = Math.min(image.width, (x + 1) * sx);
      out[y * width + x] = down ? boxAverage(image, x0, x1, y0, y1) : nearest(image, (x + 0.5) * sx, (y + 0.5) * sy);
    }
  }
  return out;
}

function greyAt(image: RgbaImage, index: number): number {
  const { data } = image;
  const alpha = data[index * 4 + 3]! / 255;
  const luma = 0.299 * data[index * 4]! + 0.587 * data[index * 4 + 1]! + 0.114 * data[index * 4 + 2]!;
  return luma * alpha + 255 * (1 - alpha);
}

function boxAverage(image: RgbaImage, x0: number, x1: number, y0: number, y1: number): number {
  let sum = 0;
  let weight = 0;
  for (let y = Math.floor(y0); y < Math.ceil(y1); y++) {
    const wy = Math.min(y + 1, y1) - Math.max(y, y0);
    for (let x = Math.floor(x0); x < Math.ceil(x1); x++) {
      const w = wy * (Math.min(x + 1, x1) - Math.max(x, x0));
      sum += greyAt(image, y * image.width + x) * w;
      weight += w;
    }
  }
  return weight > 0 ? sum / weight : 255;
}

function nearest(image: RgbaImage, fx: number, fy: number): number {
  const x = Math.min(image.width - 1, Math.floor(fx));
  const y = Math.min(image.height - 1, Math.floor(fy));
  return greyAt(image, y * image.width + x);
}
