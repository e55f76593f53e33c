import type { Language, PreviewResult, RenderInput, RenderResult } from '../../src/driver-api/index.js';
import { DriverError } from '../../src/driver-api/index.js';
import { printableDots } from '../render/bitmap.js';
import { encodeZplLabel, graphicLabel, textLabel, type ZplLabel } from '../render/encode-zpl.js';
import { imageToBitmap } from '../render/image-to-bitmap.js';
import { previewLabels, previewZpl } from '../render/preview-zpl.js';
import { rawZplLabels } from '../render/preview-zpl-raw.js';
import { PDF_LIMITS } from '../render/receipt-from-document.js';
import { rasterisePdf } from '../render/rasterise-pdf.js';
import { zplStatusQuery } from '../status/zpl-status.js';
import { concat, repeat, textLines } from './text-document.js';

const RAW = ['application/vnd.zebra.zpl', 'application/octet-stream'];

/** The labels a document becomes, at the profile's width: the one path for the bytes and the preview. */
async function documentLabels(input: RenderInput, width: number): Promise<{ labels: ZplLabel[]; warnings: string[] }> {
  const { profile, contentType } = input;
  if (contentType === 'text/plain') return { labels: [textLabel(textLines(input.body), width, profile.dotsPerMM)], warnings: [] };
  if (contentType === 'image/png' || contentType === 'image/jpeg') {
    return { labels: [graphicLabel(imageToBitmap(input.body, contentType, width, profile), width)], warnings: [] };
  }
  if (contentType === 'application/pdf') {
    const raster = await rasterisePdf(input.body, { dpi: Math.round(profile.dotsPerMM * 25.4), widthPx: width, ...PDF_LIMITS });
    return { labels: raster.pages.map((page) => graphicLabel(imageToBitmap(page, 'image/png', width, profile), width)), warnings: [...raster.warnings] };
  }
  throw new DriverError('DOCUMENT_FORMAT_ERROR', `zpl cannot render ${contentType}`);
}

/**
 * ZPL (Zebra label printers). ZPL passes through unchanged (once per copy); images and PDF pages
 * become ^GF graphics at the label width, one label each; text becomes a label in the printer's
 * font 0 with UTF-8 field data. Labels carry copies as ^PQ. Receipt options (cut, drawer,
 * buzzer) do not exist on labels and are reported as warnings. The preview draws the same labels;
 * for raw ZPL it draws the subset it reads (text, ^GF, ^GB) and names what it left off.
 */
export const zplLanguage: Language = {
  name: 'zpl',
  documentFormat: 'application/vnd.zebra.zpl',
  acceptedTypes: ['text/plain', 'image/png', 'image/jpeg', 'application/pdf', ...RAW],
  async render(input: RenderInput): Promise<RenderResult> {
    const { profile, options, contentType } = input;
    const warnings: string[] = [];
    if (options.drawer !== 'none') warnings.push('cash drawer option ignored: label printers have no drawer port');
    if (options.preBuzzer > 0 || options.postBuzzer > 0) warnings.push('buzzer options ignored: label printers have no buzzer');
    const copies = Math.max(1, options.copies);
    let bytes: Uint8Array;
    if (RAW.includes(contentType)) {
      bytes = concat(repeat([input.body], copies));
    } else {
      const document = await documentLabels(input, printableDots(profile));
      warnings.push(...document.warnings);
      // Graphic labels are ASCII, text labels UTF-8 (^CI28).
      bytes = Buffer.from(document.labels.map((label) => encodeZplLabel(label, copies)).join(''), 'utf8');
    }
    return { bytes, documentFormat: 'application/vnd.zebra.zpl', warnings };
  },
  async preview(input: RenderInput): Promise<PreviewResult> {
    const width = printableDots(input.profile);
    const context = { widthDots: width, dotsPerMM: input.profile.dotsPerMM };
    if (RAW.includes(input.contentType)) {
      // Passed through unchanged: the preview reads the subset of ZPL it can draw and names the rest.
      const raw = rawZplLabels(input.body, width);
      if (raw.labels.length === 0) {
        throw new DriverError('DOCUMENT_FORMAT_ERROR', `a ${input.contentType} job without a ZPL label (^XA…^XZ) has no preview: its bytes go to the printer unchanged`);
      }
      return previewLabels(raw.labels, { ...context, warnings: raw.warnings });
    }
    const document = await documentLabels(input, width);
    return previewZpl(document.labels, { ...context, warnings: document.warnings });
  },
  statusQuery: zplStatusQuery,
};
