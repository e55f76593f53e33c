import type { Language, RenderInput, RenderResult } from '../../src/driver-api/index.js';
import { DriverError } from '../../src/driver-api/index.js';
import { printableDots } from '../render/bitmap.js';
import { zplImageLabel, zplTextLabel } from '../render/encode-zpl.js';
import { imageToBitmap } from '../render/image-to-bitmap.js';
import { PDF_LIMITS } from '../render/receipt-from-document.js';
import { rasterisePdf } from '../render/rasterise-pdf.js';
import { zplStatusQuery } from '../status/zpl-status.js';
import { concat, repeat, textLines } from './text-document.js';

const RAW = ['application/vnd.zebra.zpl', 'application/octet-stream'];

/**
 * ZPL (Zebra label printers). ZPL passes through unchanged (once per copy); images and PDF pages
 * become ^GF graphics at the label width, one label each; text becomes a label in the printer's
 * font 0 with UTF-8 field data. Labels carry copies as ^PQ. Receipt options (cut, drawer,
 * buzzer) do not exist on labels and are reported as warnings.
 */
export const zplLanguage: Language = {
  name: 'zpl',
  acceptedTypes: ['text/plain', 'image/png', 'image/jpeg', 'application/pdf', ...RAW],
  async render(input: RenderInput): Promise<RenderResult> {
    const { profile, options, contentType } = input;
    const warnings: string[] = [];
    if (options.drawer !== 'none') warnings.push('cash drawer option ignored: label printers have no drawer port');
    if (options.preBuzzer > 0 || options.postBuzzer > 0) warnings.push('buzzer options ignored: label printers have no buzzer');
    const copies = Math.max(1, options.copies);
    const width = printableDots(profile);
    let bytes: Uint8Array;
    if (RAW.includes(contentType)) {
      bytes = concat(repeat([input.body], copies));
    } else if (contentType === 'text/plain') {
      bytes = Buffer.from(zplTextLabel(textLines(input.body), width, profile.dotsPerMM, copies), 'utf8');
    } else if (contentType === 'image/png' || contentType === 'image/jpeg') {
      bytes = Buffer.from(zplImageLabel(imageToBitmap(input.body, contentType, width, profile), width, copies), 'latin1');
    } else if (contentType === 'application/pdf') {
      const raster = await rasterisePdf(input.body, { dpi: Math.round(profile.dotsPerMM * 25.4), widthPx: width, ...PDF_LIMITS });
      warnings.push(...raster.warnings);
      const labels = raster.pages.map((page) => zplImageLabel(imageToBitmap(page, 'image/png', width, profile), width, copies));
      bytes = Buffer.from(labels.join(''), 'latin1');
    } else {
      throw new DriverError('DOCUMENT_FORMAT_ERROR', `zpl cannot render ${contentType}`);
    }
    return { bytes, documentFormat: 'application/vnd.zebra.zpl', warnings };
  },
  statusQuery: zplStatusQuery,
};
