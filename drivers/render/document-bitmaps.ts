import type { RenderInput } from '../../src/driver-api/index.js';
import { printableDots, type Bitmap } from './bitmap.js';
import { imageToBitmap, pageToBitmap, planFor, type ImageContext } from './image-to-bitmap.js';
import { readImageHeader } from './image-header.js';
import { checkPdf, PDF_TIMEOUT_MS, rasterisePdf } from './rasterise-pdf.js';
import { checkRaster, RASTER_TYPES, rasterBitmaps } from './raster-document.js';
import type { RenderMeter } from './render-meter.js';

/** Media types that are pictures: one image, a PDF's pages, or a PWG / Apple raster's pages. */
export const PICTURE_TYPES: readonly string[] = ['image/png', 'image/jpeg', 'application/pdf', ...RASTER_TYPES];

function imageContext(input: RenderInput, meter: RenderMeter): ImageContext {
  return { profile: input.profile, meter, ...(input.options.fit === undefined ? {} : { fit: input.options.fit }) };
}

function pdfOptions(input: RenderInput, meter: RenderMeter) {
  const { profile, options } = input;
  return { dpi: Math.round(profile.dotsPerMM * 25.4), widthDots: printableDots(profile), meter, ...(options.fit === undefined ? {} : { fit: options.fit }) };
}

/** A picture document as dots (README "Rendering rules"): the image, or each page of the PDF. */
export async function documentBitmaps(input: RenderInput, meter: RenderMeter): Promise<Bitmap[]> {
  if (input.contentType === 'application/pdf') {
    const pages = await rasterisePdf(input.body, { ...pdfOptions(input, meter), timeoutMs: PDF_TIMEOUT_MS });
    return pages.map((page) => pageToBitmap(page, input.profile));
  }
  if (RASTER_TYPES.includes(input.contentType)) return rasterBitmaps(input, meter);
  return [imageToBitmap(input.body, input.contentType, imageContext(input, meter))];
}

/** Language.check for pictures: the image header or the PDF's page tree against the budget, nothing decoded. */
export function checkDocumentBitmaps(input: RenderInput, meter: RenderMeter): void {
  if (input.contentType === 'application/pdf') checkPdf(input.body, pdfOptions(input, meter));
  else if (RASTER_TYPES.includes(input.contentType)) checkRaster(input, meter);
  else planFor(readImageHeader(input.body, input.contentType), imageContext(input, meter));
}
