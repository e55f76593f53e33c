import type { PreviewResult, RenderInput, RenderResult } from '../../src/driver-api/index.js';
import { DriverError } from '../../src/driver-api/index.js';
import { concat, repeat } from '../languages/text-document.js';
import { buzzerBytes, drawerBytes, encodeCopy, type EncodeContext, type ReceiptLanguage } from './encode-receipt.js';
import { previewReceipt } from './preview-receipt.js';
import { receiptColumns, receiptFontBColumns } from './receipt-columns.js';
import { receiptFromDocument } from './receipt-from-document.js';
import { RenderMeter } from './render-meter.js';

/**
 * The rendering half of a receipt language (receipt-language.ts loads it on the first document):
 * the encoder, the HTML parser and the image decoders stay out of a thread that never renders.
 */

export interface ReceiptLanguageSpec {
  name: string;
  encoding: ReceiptLanguage;
  /** Media type of the output, and the raw input type passed through unchanged. */
  documentFormat: string;
}

export const rawTypesOf = (spec: ReceiptLanguageSpec): string[] => [spec.documentFormat, 'application/octet-stream'];
const layoutOf = (input: RenderInput) => ({ columns: receiptColumns(input.profile), fontBColumns: receiptFontBColumns(input.profile) });

export async function renderReceipt(spec: ReceiptLanguageSpec, input: RenderInput): Promise<RenderResult> {
  const rawTypes = rawTypesOf(spec);
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
}

export async function previewReceiptDocument(spec: ReceiptLanguageSpec, input: RenderInput): Promise<PreviewResult> {
  const rawTypes = rawTypesOf(spec);
  if (rawTypes.includes(input.contentType)) {
    throw new DriverError('DOCUMENT_FORMAT_ERROR', `a ${input.contentType} job has no preview: its bytes go to the printer unchanged`);
  }
  const meter = RenderMeter.of(input);
  const document = await receiptFromDocument(input, layoutOf(input), meter);
  return previewReceipt(document.ops, { language: spec.encoding, profile: input.profile, warnings: [...document.warnings] }, meter.budget.maxPixels);
}
