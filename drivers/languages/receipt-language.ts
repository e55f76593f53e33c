import type { Language, PreviewResult, RenderInput, RenderResult } from '../../src/driver-api/index.js';
import { DriverError } from '../../src/driver-api/index.js';
import { checkDocumentBitmaps, PICTURE_TYPES } from '../render/document-bitmaps.js';
import { buzzerBytes, drawerBytes, encodeCopy, type EncodeContext, type ReceiptLanguage } from '../render/encode-receipt.js';
import { previewReceipt } from '../render/preview-receipt.js';
import { receiptColumns, receiptFontBColumns } from '../render/receipt-columns.js';
import { DOCUMENT_TYPES, receiptFromDocument } from '../render/receipt-from-document.js';
import { RenderMeter } from '../render/render-meter.js';
import { concat, repeat } from './text-document.js';

export interface ReceiptLanguageSpec {
  name: string;
  encoding: ReceiptLanguage;
  /** Media type of the output, and the raw input type passed through unchanged. */
  documentFormat: string;
}

/**
 * A receipt printer language (ESC/POS, StarPRNT, Star Line): text, markup, images and PDFs are
 * rendered at the profile's width within the input's budget; the language's own bytes pass
 * through. Job options wrap the copies: pre-buzzer and drawer `start` before the first, drawer
 * `end` and post-buzzer after the last.
 */
export function receiptLanguage(spec: ReceiptLanguageSpec): Language {
  const rawTypes = [spec.documentFormat, 'application/octet-stream'];
  const layoutOf = (input: RenderInput) => ({ columns: receiptColumns(input.profile), fontBColumns: receiptFontBColumns(input.profile) });
  return {
    name: spec.name,
    documentFormat: spec.documentFormat,
    acceptedTypes: [...DOCUMENT_TYPES, ...rawTypes],
    passThrough: rawTypes,
    check(input: RenderInput): void {
      if (PICTURE_TYPES.includes(input.contentType)) checkDocumentBitmaps(input, RenderMeter.of(input));
    },
    async render(input: RenderInput): Promise<RenderResult> {
      const { profile, options } = input;
      const meter = RenderMeter.of(input);
      const warnings: string[] = [];
      const ctx: EncodeContext = { language: spec.encoding, profile, warnings };
      const raw = rawTypes.includes(input.contentType);
      let copy: Uint8Array;
      if (raw) {
        copy = input.body;
      } else {
        const document = await receiptFromDocument(input, layoutOf(input), meter);
        warnings.push(...document.warnings);
        copy = encodeCopy(document.ops, ctx);
      }
      const copies = Math.max(1, options.copies);
      if (!raw) meter.checkOutput(copy.byteLength * copies);
      const parts = repeat([copy], copies);
      if (options.drawer !== 'none') {
        if (!profile.drawer) warnings.push(`profile ${profile.id} has no cash drawer port; pulse sent anyway`);
        if (options.drawer === 'start') parts.unshift(drawerBytes(ctx));
        else parts.push(drawerBytes(ctx));
      }
      const pre = buzzerBytes(ctx, options.preBuzzer);
      const post = buzzerBytes(ctx, options.postBuzzer);
      if (pre === undefined || post === undefined) warnings.push(`buzzer options ignored: profile ${profile.id} has no buzzer`);
      if (pre !== undefined) parts.unshift(pre);
      if (post !== undefined) parts.push(post);
      return { bytes: concat(parts), documentFormat: spec.documentFormat, warnings: [...new Set(warnings)] };
    },
    async preview(input: RenderInput): Promise<PreviewResult> {
      if (rawTypes.includes(input.contentType)) {
        throw new DriverError('DOCUMENT_FORMAT_ERROR', `a ${input.contentType} job has no preview: its bytes go to the printer unchanged`);
      }
      const meter = RenderMeter.of(input);
      const document = await receiptFromDocument(input, layoutOf(input), meter);
      return previewReceipt(document.ops, { language: spec.encoding, profile: input.profile, warnings: [...document.warnings] }, meter.budget.maxPixels);
    },
  };
}
