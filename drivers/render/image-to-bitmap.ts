import type { PrinterProfile, RenderOptions } from '../../src/driver-api/index.js';
import { printableDots, type Bitmap, type RgbaImage } from './bitmap.js';
import { decodeImage } from './decode-image.js';
import { dither } from './dither.js';
import { readImageHeader, type ImageHeader } from './image-header.js';
import { planImage, type ImagePlan, type ImageRequest } from './image-plan.js';
import type { RenderMeter } from './render-meter.js';
import { scaleToGrey } from './scale-image.js';

/** What sizing and dithering an image needs from the render it belongs to. */
export interface ImageContext {
  profile: PrinterProfile;
  meter: RenderMeter;
  /** The job's fit option: `width` scales images that ask for no size of their own to the printable width. */
  fit?: RenderOptions['fit'];
}

/** The printer's resolution in dots per inch (8 dots/mm = 203.2). */
export function printerDpi(profile: Pick<PrinterProfile, 'dotsPerMM'>): number {
  return profile.dotsPerMM * 25.4;
}

/** The plan for an image of this header in this render (planImage with the job's fit), checked against the budget. */
export function planFor(header: ImageHeader, ctx: ImageContext, request: ImageRequest = {}): ImagePlan {
  const widthDots = printableDots(ctx.profile);
  const asked = request.widthDots === undefined && ctx.fit === 'width' ? { ...request, widthDots } : request;
  const plan = planImage(header, { dpi: printerDpi(ctx.profile), widthDots }, asked);
  const what = `the ${header.width}×${header.height} ${header.type.slice(6).toUpperCase()} image`;
  ctx.meter.checkPageHeight(plan.height, `${what}, printed ${plan.width} dots wide,`);
  ctx.meter.chargePixels(header.width * header.height + plan.width * plan.height, what);
  return plan;
}

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
