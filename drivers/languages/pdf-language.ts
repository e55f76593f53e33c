import type { Language, RenderInput, RenderResult } from '../../src/driver-api/index.js';
import { DriverError } from '../../src/driver-api/index.js';

const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');
/** What an IPP Everywhere office printer decodes itself besides PDF: passed through as they came. */
const DEVICE_TYPES = ['image/pwg-raster', 'image/urf', 'image/jpeg'];

/**
 * pdf: passes PDF documents through to printers that accept them (IPP office printers), and the
 * raster and JPEG documents IPP Everywhere printers decode themselves (PWG raster, Apple raster,
 * JPEG: the IPP transport checks the device lists the type). These cannot be concatenated, so the
 * bytes hold one copy and `copies` asks the transport for the rest (IPP `copies`). Receipt options
 * (drawer, buzzer) do not apply and are reported as warnings. Nothing is rasterised, so no render
 * budget applies (an office printer takes a PDF of any length).
 */
export const pdfLanguage: Language = {
  name: 'pdf',
  documentFormat: 'application/pdf',
  acceptedTypes: ['application/pdf', ...DEVICE_TYPES],
  passThrough: ['application/pdf', ...DEVICE_TYPES],
  check(input: RenderInput): void {
    if (DEVICE_TYPES.includes(input.contentType)) return;
    if (input.contentType !== 'application/pdf') throw new DriverError('DOCUMENT_FORMAT_ERROR', `pdf cannot render ${input.contentType}`);
    const head = Buffer.from(input.body.subarray(0, 1024));
    if (head.indexOf(PDF_MAGIC) < 0) throw new DriverError('DOCUMENT_FORMAT_ERROR', 'the application/pdf document does not start with %PDF-');
  },
  async render(input: RenderInput): Promise<RenderResult> {
    const { options } = input;
    pdfLanguage.check!(input);
    const warnings: string[] = [];
    if (options.drawer !== 'none') warnings.push('cash drawer option ignored: the pdf language has no drawer');
    if (options.preBuzzer > 0 || options.postBuzzer > 0) warnings.push('buzzer options ignored: the pdf language has no buzzer');
    return { bytes: input.body, documentFormat: input.contentType, warnings, copies: Math.max(1, options.copies) };
  },
};
