import type { RenderInput } from '../../src/driver-api/index.js';
import { DriverError } from '../../src/driver-api/index.js';
import { textLines } from '../languages/text-document.js';
import { documentBitmaps } from './document-bitmaps.js';
import { PICTURE_TYPES } from './picture-check.js';
import { documentText } from './document-text.js';
import { RASTER_TYPES, trimBottom } from './raster-document.js';
import { htmlDocument } from './html-document.js';
import type { ImageContext } from './image-to-bitmap.js';
import { markupDocument, type TextLayout } from './markup-document.js';
import type { RenderMeter } from './render-meter.js';
import type { ReceiptDocument, ReceiptOp } from './receipt-ops.js';


/** Plain text as ops: each line printed, then a newline. */
export function textOps(text: string): ReceiptOp[] {
  const ops: ReceiptOp[] = [];
  for (const line of textLines(text)) {
    if (line !== '') ops.push({ op: 'text', text: line });
    ops.push({ op: 'newline' });
  }
  return ops;
}

/** Turns a document into printer-neutral receipt ops at the profile's width, within the meter's budget. */
export async function receiptFromDocument(input: RenderInput, layout: TextLayout, meter: RenderMeter): Promise<ReceiptDocument> {
  const images: ImageContext = { profile: input.profile, meter, ...(input.options.fit === undefined ? {} : { fit: input.options.fit }) };
  switch (input.contentType) {
    case 'text/plain':
      return { ops: textOps(documentText(input)), warnings: [] };
    case 'text/vnd.star.markup':
      return markupDocument(documentText(input), input.profile, layout, images);
    case 'text/html':
      return htmlDocument(documentText(input), input.profile, layout, images);
    default:
      if (!PICTURE_TYPES.includes(input.contentType)) throw new DriverError('DOCUMENT_FORMAT_ERROR', `${input.contentType} cannot be rendered as a receipt`);
      // A raster page's blank bottom is the client's page length, not the receipt's: the roll does not feed it.
      return {
        ops: (await documentBitmaps(input, meter)).map((bitmap) => ({ op: 'image', bitmap: RASTER_TYPES.includes(input.contentType) ? trimBottom(bitmap) : bitmap })),
        warnings: [],
      };
  }
}
