import type { PrinterProfile } from '../../src/driver-api/index.js';
import { DriverError } from '../../src/driver-api/index.js';
import { textLines } from '../languages/text-document.js';
import { printableDots } from './bitmap.js';
import { htmlDocument } from './html-document.js';
import { imageToBitmap } from './image-to-bitmap.js';
import { markupDocument, type TextLayout } from './markup-document.js';
import { rasterisePdf } from './rasterise-pdf.js';
import type { ReceiptDocument, ReceiptOp } from './receipt-ops.js';

/** Media types turned into receipt ops (raw printer languages are not among them). */
export const DOCUMENT_TYPES = ['text/plain', 'text/vnd.star.markup', 'text/html', 'image/png', 'image/jpeg', 'application/pdf'] as const;

export const PDF_LIMITS = { maxPages: 20, timeoutMs: 30_000 } as const;

/** Decodes text as UTF-8, or UTF-16 when it starts with a byte-order mark. */
export function decodeText(body: Uint8Array): string {
  if (body[0] === 0xff && body[1] === 0xfe) return new TextDecoder('utf-16le').decode(body);
  if (body[0] === 0xfe && body[1] === 0xff) return new TextDecoder('utf-16be').decode(body);
  return new TextDecoder('utf-8').decode(body);
}

/** Turns a document into printer-neutral receipt ops at the profile's width. */
export async function receiptFromDocument(body: Uint8Array, contentType: string, profile: PrinterProfile, layout: TextLayout): Promise<ReceiptDocument> {
  switch (contentType) {
    case 'text/plain': {
      const ops: ReceiptOp[] = [];
      for (const line of textLines(body)) {
        if (line !== '') ops.push({ op: 'text', text: line });
        ops.push({ op: 'newline' });
      }
      return { ops, warnings: [] };
    }
    case 'text/vnd.star.markup':
      return markupDocument(decodeText(body).replace(/\uFFFD/g, '?'), profile, layout);
    case 'text/html':
      return htmlDocument(decodeText(body).replace(/\uFFFD/g, '?'), profile, layout);
    case 'image/png':
    case 'image/jpeg':
      return { ops: [{ op: 'image', bitmap: imageToBitmap(body, contentType, printableDots(profile), profile) }], warnings: [] };
    case 'application/pdf': {
      const width = printableDots(profile);
      const raster = await rasterisePdf(body, { dpi: Math.round(profile.dotsPerMM * 25.4), widthPx: width, ...PDF_LIMITS });
      const ops: ReceiptOp[] = raster.pages.map((page) => ({ op: 'image', bitmap: imageToBitmap(page, 'image/png', width, profile) }));
      return { ops, warnings: raster.warnings };
    }
    default:
      throw new DriverError('DOCUMENT_FORMAT_ERROR', `${contentType} cannot be rendered as a receipt`);
  }
}
