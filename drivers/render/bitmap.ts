/** A 1-bit image: one byte per pixel, 1 = black (a dot), 0 = white. */
export interface Bitmap {
  width: number;
  height: number;
  data: Uint8Array;
}

/** An RGBA image as decoders give it (ImageData-like). */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** The printable width in dots: printableWidthMM × dotsPerMM, rounded down to whole bytes (8 dots). */
export function printableDots(profile: { printableWidthMM: number; dotsPerMM: number }): number {
  return Math.max(8, Math.floor(Math.round(profile.printableWidthMM * profile.dotsPerMM) / 8) * 8);
}

/** Black and white RGBA (what the receipt encoder takes) from a bitmap. */
export function bitmapToRgba(bitmap: Bitmap): { width: number; height: number; data: Uint8ClampedArray } {
  const data = new Uint8ClampedArray(bitmap.width * bitmap.height * 4);
  for (let i = 0; i < bitmap.data.length; i++) {
    const value = bitmap.data[i] ? 0 : 255;
    data[i * 4] = value;
    data[i * 4 + 1] = value;
    data[i * 4 + 2] = value;
    data[i * 4 + 3] = 255;
  }
  return { width: bitmap.width, height: bitmap.height, data };
}

/** Packs rows MSB first, `bytesPerRow` = ceil(width / 8); the padding bits are white. */
export function packRows(bitmap: Bitmap): { bytesPerRow: number; bytes: Uint8Array } {
  const bytesPerRow = Math.ceil(bitmap.width / 8);
  const bytes = new Uint8Array(bytesPerRow * bitmap.height);
  for (let y = 0; y < bitmap.height; y++) {
    for (let x = 0; x < bitmap.width; x++) {
      if (bitmap.data[y * bitmap.width + x]) bytes[y * bytesPerRow + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  return { bytesPerRow, bytes };
}

/** Places a bitmap on a white canvas `width` dots wide, aligned left, centre or right. */
export function placeBitmap(bitmap: Bitmap, width: number, align: 'left' | 'center' | 'right'): Bitmap {
  if (bitmap.width >= width) return bitmap;
  const offset = align === 'left' ? 0 : align === 'right' ? width - bitmap.width : Math.floor((width - bitmap.width) / 2);
  const data = new Uint8Array(width * bitmap.height);
  for (let y = 0; y < bitmap.height; y++) {
    data.set(bitmap.data.subarray(y * bitmap.width, (y + 1) * bitmap.width), y * width + offset);
  }
  return { width, height: bitmap.height, data };
}
