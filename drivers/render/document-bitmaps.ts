import type { RenderInput } from '../../src/driver-api/index.js';
import type { Bitmap } from './bitmap.js';
import { imageToBitmap, pageToBitmap } from './image-to-bitmap.js';
import { imageContext, pdfOptions } from './picture-check.js';
import { PDF_TIMEOUT_MS, rasterisePdf } from './rasterise-pdf.js';
import { RASTER_TYPES, rasterBitmaps } from './raster-document.js';
import type { RenderMeter } from './render-meter.js';

/** A picture document as dots (README "Rendering rules"): the image, or each page of the PDF. */
export async function documentBitmaps(input: RenderInput, meter: RenderMeter): Promise<Bitmap[]> {
  if (input.contentType === 'application/pdf') {
    const pages = await rasterisePdf(input.body, { ...pdfOptions(input, meter), timeoutMs: PDF_TIMEOUT_MS });
    return pages.map((page) => pageToBitmap(page, input.profile));
  }
  if (RASTER_TYPES.includes(input.contentType)) return rasterBitmaps(input, meter);
  return [imageToBitmap(input.body, input.contentType, imageContext(input, meter))];
}
