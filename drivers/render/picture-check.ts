import type { PrinterProfile, RenderInput, RenderOptions } from '../../src/driver-api/index.js';
import { printableDots } from './bitmap.js';
import type { ImageHeader } from './image-header.js';
import { readImageHeader } from './image-header.js';
import { planImage, type ImagePlan, type ImageRequest } from './image-plan.js';
import { checkPdf } from './rasterise-pdf.js';
import { checkRaster, RASTER_TYPES } from './raster-document.js';
import type { RenderMeter } from './render-meter.js';

/**
 * What a picture will cost, from its header alone: the check at submit (Language.check) and the
 * plan the renderer follows. Nothing here decodes pixels, so the gateway's thread can load it
 * without the image and HTML libraries the render threads use.
 */

/** Media types that are pictures: one image, a PDF's pages, or a PWG / Apple raster's pages. */
export const PICTURE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'application/pdf', ...RASTER_TYPES];

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

export function imageContext(input: RenderInput, meter: RenderMeter): ImageContext {
  return { profile: input.profile, meter, ...(input.options.fit === undefined ? {} : { fit: input.options.fit }) };
}

export function pdfOptions(input: RenderInput, meter: RenderMeter) {
  const { profile, options } = input;
  return { dpi: Math.round(profile.dotsPerMM * 25.4), widthDots: printableDots(profile), meter, ...(options.fit === undefined ? {} : { fit: options.fit }) };
}

/** Language.check for pictures: the image header, the PDF's page tree or the raster's page headers against the budget, nothing decoded. */
export function checkDocumentBitmaps(input: RenderInput, meter: RenderMeter): void {
  if (input.contentType === 'application/pdf') checkPdf(input.body, pdfOptions(input, meter));
  else if (RASTER_TYPES.includes(input.contentType)) checkRaster(input, meter);
  else planFor(readImageHeader(input.body, input.contentType), imageContext(input, meter));
}
