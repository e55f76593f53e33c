import type { Language, PreviewResult, RenderInput, RenderResult } from '../../src/driver-api/index.js';
import { DriverError } from '../../src/driver-api/index.js';
import { buzzerBytes, drawerBytes, encodeCopy, type EncodeContext, type ReceiptLanguage } from '../render/encode-receipt.js';
import { receiptColumns, receiptFontBColumns } from '../render/receipt-columns.js';
import { DOCUMENT_TYPES, receiptFromDocument } from '../render/receipt-from-document.js';
import { previewReceipt } from '../render/preview-receipt.js';
import { concat, repeat } from './text-document.js';

export interface ReceiptLanguageSpec {
  name: string;
  encoding: ReceiptLanguage;
  /** Media type of the output, and the raw input type passed through unchanged. */
  documentFormat: string;
}

/**
 * A receipt printer language (ESC/POS, StarPRNT, Star Line): text, markup, images and PDFs are
 * rendered at the profile's width; the language's own bytes pass through. Job options wrap the
 * copies: pre-buzzer and drawer `start` before the first, drawer `end` and post-buzzer after the last.
 */
export function receiptLanguage(spec: ReceiptLanguageSpec): Language {
  const rawTypes = [spec.documentFormat, 'application/octet-stream'];
  return {
    name: spec.name,
    documentFormat: spec.documentFormat,
    acceptedTypes: [...DOCUMENT_TYPES, ...rawTypes],
    async render(input: RenderInput): Promise<RenderResult> {
      const { profile, options } = input;
      const warnings: string[] = [];
      const ctx: EncodeContext = { language: spec.encoding, profile, warnings };
      let copy: Uint8Array;
      if (rawTypes.includes(input.contentType)) {
        copy = input.body;
      } else {
        const layout = { columns: receiptColumns(profile), fontBColumns: receiptFontBColumns(profile) };
        const document = await receiptFromDocument(input.body, input.contentType, profile, layout);
        warnings.push(...document.warnings);
        copy = encodeCopy(document.ops, ctx);
      }
      const parts = repeat([copy], Math.max(1, options.copies));
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
      const { profile } = input;
      const layout = { columns: receiptColumns(profile), fontBColumns: receiptFontBColumns(profile) };
      const document = await receiptFromDocument(input.body, input.contentType, profile, layout);
      return previewReceipt(document.ops, { language: spec.encoding, profile, warnings: [...document.warnings] });
    },
  };
}
