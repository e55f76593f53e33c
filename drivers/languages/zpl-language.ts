import type { Language, PreviewResult, RenderInput, RenderResult } from '../../src/driver-api/index.js';
import { DriverError } from '../../src/driver-api/index.js';
import { printableDots } from '../render/bitmap.js';
import { checkDocumentBitmaps, documentBitmaps, PICTURE_TYPES } from '../render/document-bitmaps.js';
import { documentText } from '../render/document-text.js';
import { encodeZplLabel } from '../render/encode-zpl.js';
import { labelsFromOps } from '../render/label-layout.js';
import { labelColumns, labelMetrics } from '../render/label-text.js';
import { markupDocument } from '../render/markup-document.js';
import { previewLabels } from '../render/preview-zpl.js';
import { rawZplLabels } from '../render/preview-zpl-raw.js';
import { textOps } from '../render/receipt-from-document.js';
import { RenderMeter, tooComplex } from '../render/render-meter.js';
import { graphicLabel, MAX_LABEL_DOTS, type ZplLabel } from '../render/zpl-label.js';
import { zplStatusQuery } from '../status/zpl-status.js';
import { concat, repeat } from './text-document.js';

const RAW = ['application/vnd.zebra.zpl', 'application/octet-stream'];

/** The labels a document becomes, at the profile's width: the one path for the bytes and the preview. */
async function documentLabels(input: RenderInput, meter: RenderMeter): Promise<{ labels: ZplLabel[]; warnings: string[] }> {
  const { profile, contentType } = input;
  const width = printableDots(profile);
  const warnings: string[] = [];
  const layout = { widthDots: width, dotsPerMM: profile.dotsPerMM, maxLengthDots: meter.budget.maxPageHeightDots, warnings };
  if (contentType === 'text/plain') return { labels: labelsFromOps(textOps(documentText(input)), layout), warnings };
  if (contentType === 'text/vnd.star.markup') {
    const images = { profile, meter, ...(input.options.fit === undefined ? {} : { fit: input.options.fit }) };
    const document = markupDocument(documentText(input), profile, labelColumns(labelMetrics(profile.dotsPerMM, width)), images);
    const labels = labelsFromOps(document.ops, layout);
    return { labels, warnings: [...new Set([...document.warnings, ...warnings])] };
  }
  if (!PICTURE_TYPES.includes(contentType)) throw new DriverError('DOCUMENT_FORMAT_ERROR', `zpl cannot render ${contentType}`);
  const labels = (await documentBitmaps(input, meter)).map((bitmap) => {
    if (bitmap.height > MAX_LABEL_DOTS) throw tooComplex('maxPageHeightDots', MAX_LABEL_DOTS, bitmap.height, `a label of ${bitmap.height} dots is longer than ZPL allows (${MAX_LABEL_DOTS})`);
    return graphicLabel(bitmap, width);
  });
  return { labels, warnings };
}

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
  acceptedTypes: ['text/plain', 'text/vnd.star.markup', 'image/png', 'image/jpeg', 'application/pdf', ...RAW],
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
    let bytes: Uint8Array;
    if (RAW.includes(contentType)) {
      bytes = concat(repeat([input.body], copies));
    } else {
      const meter = RenderMeter.of(input);
      const document = await documentLabels(input, meter);
      warnings.push(...document.warnings);
      // Graphic labels are ASCII, text labels UTF-8 (^CI28).
      bytes = Buffer.from(document.labels.map((label) => encodeZplLabel(label, copies)).join(''), 'utf8');
      meter.checkOutput(bytes.byteLength);
    }
    return { bytes, documentFormat: 'application/vnd.zebra.zpl', warnings };
  },
  async preview(input: RenderInput): Promise<PreviewResult> {
    const meter = RenderMeter.of(input);
    const context = { widthDots: printableDots(input.profile), dotsPerMM: input.profile.dotsPerMM, maxPixels: meter.budget.maxPixels };
    if (RAW.includes(input.contentType)) {
      // Passed through unchanged: the preview reads the subset of ZPL it can draw and names the rest.
      const raw = rawZplLabels(input.body, context.widthDots, meter);
      if (raw.labels.length === 0) {
        throw new DriverError('DOCUMENT_FORMAT_ERROR', `a ${input.contentType} job without a ZPL label (^XA…^XZ) has no preview: its bytes go to the printer unchanged`);
      }
      return previewLabels(raw.labels, { ...context, warnings: raw.warnings });
    }
    const document = await documentLabels(input, meter);
    return previewLabels(document.labels, { ...context, warnings: document.warnings });
  },
  statusQuery: zplStatusQuery,
};
