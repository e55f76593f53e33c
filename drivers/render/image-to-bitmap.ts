import type { PrinterProfile } from '../../src/driver-api/index.js';
import { DriverError } from '../../src/driver-api/index.js';
import type { Bitmap, RgbaImage } from './bitmap.js';
import { decodeImage } from './decode-image.js';
import { dither } from './dither.js';
import { scaleToGrey } from './scale-image.js';

/** Tallest image we rasterise, in dots (about 2.5 m of receipt at 203 dpi). */
const MAX_HEIGHT_DOTS = 20_000;

/** Scales an RGBA image to `width` dots (height keeps the aspect ratio) and dithers it per the profile. */
export function rgbaToBitmap(image: RgbaImage, width: number, profile: PrinterProfile): Bitmap {
  const target = Math.max(1, Math.round(width));
  const height = Math.max(1, Math.round((image.height * target) / image.width));
  if (height > MAX_HEIGHT_DOTS) {
    throw new DriverError('DOCUMENT_FORMAT_ERROR', `the image would be ${height} dots tall at ${target} dots wide (limit ${MAX_HEIGHT_DOTS})`);
  }
  const grey = scaleToGrey(image, target, height);
  return dither(grey, target, height, profile.dither ?? 'floyd-steinberg', profile.ditherThreshold ?? 128);
}

/** Decodes a PNG/JPEG and turns it into dots `width` wide. */
export function imageToBitmap(bytes: Uint8Array, declared: string, width: number, profile: PrinterProfile): Bitmap {
  return rgbaToBitmap(decodeImage(bytes, declared), width, profile);
}
