import type { Language, PreviewResult, RenderInput, RenderResult } from '../../src/driver-api/index.js';
import type { ReceiptLanguageSpec } from '../render/receipt-render.js';
import { DOCUMENT_TYPES } from '../render/document-types.js';
import { checkDocumentBitmaps, PICTURE_TYPES } from '../render/picture-check.js';
import { RenderMeter } from '../render/render-meter.js';

export type { ReceiptLanguageSpec } from '../render/receipt-render.js';

/**
 * A receipt printer language (ESC/POS, StarPRNT, Star Line): text, markup, images and PDFs are
 * rendered at the profile's width within the input's budget; the language's own bytes pass
 * through. Job options wrap the copies: pre-buzzer and drawer `start` before the first, drawer
 * `end` and post-buzzer after the last.
 */
export function receiptLanguage(spec: ReceiptLanguageSpec): Language {
  const rawTypes = [spec.documentFormat, 'application/octet-stream'];
  return {
    name: spec.name,
    documentFormat: spec.documentFormat,
    acceptedTypes: [...DOCUMENT_TYPES, ...rawTypes],
    passThrough: rawTypes,
    check(input: RenderInput): void {
      if (PICTURE_TYPES.includes(input.contentType)) checkDocumentBitmaps(input, RenderMeter.of(input));
    },
    async render(input: RenderInput): Promise<RenderResult> {
      return (await import('../render/receipt-render.js')).renderReceipt(spec, input);
    },
    async preview(input: RenderInput): Promise<PreviewResult> {
      return (await import('../render/receipt-render.js')).previewReceiptDocument(spec, input);
    },
  };
}
