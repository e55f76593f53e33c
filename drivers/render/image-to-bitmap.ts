import type { PrinterProfile } from '../../src/driver-api/index.js';
import { printableDots, type Bitmap, type RgbaImage } from './bitmap.js';
import { decodeImage } from './decode-image.js';
import { dither } from './dither.js';
import { readImageHeader, type ImageHeader } from './image-header.js';
import type { ImagePlan, ImageRequest } from './image-plan.js';
import { planFor, type ImageContext } from './picture-check.js';
import { scaleToGrey } from './scale-image.js';

export { planFor, printerDpi, type ImageContext } from './picture-check.js';

/** Scales decoded pixels as planned and dithers them per the profile (1:1 bilevel art stays dot for dot). */
export function rgbaToBitmap(image: RgbaImage, plan: ImagePlan, profile: PrinterProfile): Bitmap {
  const grey = scaleToGrey(image, plan.width, plan.height, plan.factor);
  return dither(grey, plan.width, plan.height, profile.dither ?? 'floyd-steinberg', profile.ditherThreshold ?? 128);
}

/**
 * A PNG/JPEG as dots (README "Rendering rules"): the header is read and the size planned and
 * charged to the budget before a pixel is decoded; then decoded, scaled and dithered.
 */
export function imageToBitmap(bytes: Uint8Array, declared: string, ctx: ImageContext, request: ImageRequest = {}): Bitmap {
  const header = readImageHeader(bytes, declared);
  const plan = planFor(header, ctx, request);
  return rgbaToBitmap(decodeImage(bytes, header), plan, ctx.profile);
}

/** A raster page already sized and charged (a PDF page from rasterisePdf) as dots, one pixel one dot. */
export function pageToBitmap(png: Uint8Array, profile: PrinterProfile): Bitmap {
  const header = readImageHeader(png, 'image/png');
  return rgbaToBitmap(decodeImage(png, header), { width: header.width, height: header.height }, profile);
}
