import type { Language, PreviewResult, RenderInput, RenderResult } from '../../src/driver-api/index.js';
import { checkDocumentBitmaps, PICTURE_TYPES } from '../render/picture-check.js';
import { RenderMeter } from '../render/render-meter.js';
import { zplStatusQuery } from '../status/zpl-status.js';
import { concat, repeat } from './text-document.js';

const RAW = ['application/vnd.zebra.zpl', 'application/octet-stream'];

/**
 * ZPL (Zebra label printers). ZPL passes through unchanged (once per copy); images and PDF pages
 * become ^GF graphics 1:1 at the printer's resolution, one label each; text and Star markup are
 * laid out as labels as long as their content (font 0 with UTF-8 field data, barcodes ^BC…/^BQ,
 * images ^GF). Labels carry copies as ^PQ. Receipt options (cut, drawer, buzzer) do not exist on
 * labels and are reported as warnings. The preview draws the same labels; for raw ZPL it draws the
 * subset it reads (text, ^GF, ^GB) and names what it left off.
 */
export const zplLanguage: Language = {
  name: 'zpl',
  documentFormat: 'application/vnd.zebra.zpl',
  acceptedTypes: ['text/plain', 'text/vnd.star.markup', 'image/png', 'image/jpeg', 'application/pdf', 'image/pwg-raster', 'image/urf', ...RAW],
  passThrough: RAW,
  check(input: RenderInput): void {
    if (PICTURE_TYPES.includes(input.contentType)) checkDocumentBitmaps(input, RenderMeter.of(input));
  },
  async render(input: RenderInput): Promise<RenderResult> {
    const { options, contentType } = input;
    const warnings: string[] = [];
    if (options.drawer !== 'none') warnings.push('cash drawer option ignored: label printers have no drawer port');
    if (options.preBuzzer > 0 || options.postBuzzer > 0) warnings.push('buzzer options ignored: label printers have no buzzer');
    const copies = Math.max(1, options.copies);
    if (RAW.includes(contentType)) return { bytes: concat(repeat([input.body], copies)), documentFormat: 'application/vnd.zebra.zpl', warnings };
    const labels = await (await import('../render/zpl-render.js')).renderLabels(input, copies);
    return { bytes: labels.bytes, documentFormat: 'application/vnd.zebra.zpl', warnings: [...warnings, ...labels.warnings] };
  },
  async preview(input: RenderInput): Promise<PreviewResult> {
    return (await import('../render/zpl-render.js')).previewZpl(input, RAW.includes(input.contentType));
  },
  statusQuery: zplStatusQuery,
};
