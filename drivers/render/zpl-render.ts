import type { PreviewResult, RenderInput } from '../../src/driver-api/index.js';
import { DriverError } from '../../src/driver-api/index.js';
import { printableDots } from './bitmap.js';
import { documentBitmaps } from './document-bitmaps.js';
import { documentText } from './document-text.js';
import { encodeZplLabel } from './encode-zpl.js';
import { labelsFromOps } from './label-layout.js';
import { labelColumns, labelMetrics } from './label-text.js';
import { markupDocument } from './markup-document.js';
import { PICTURE_TYPES } from './picture-check.js';
import { previewLabels } from './preview-zpl.js';
import { rawZplLabels } from './preview-zpl-raw.js';
import { textOps } from './receipt-from-document.js';
import { RenderMeter, tooComplex } from './render-meter.js';
import { graphicLabel, MAX_LABEL_DOTS, type ZplLabel } from './zpl-label.js';

/**
 * The rendering half of the zpl language (zpl-language.ts loads it on the first document that is
 * not ZPL already): labels laid out from text, markup, images and PDF pages, and their preview.
 */

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

/** Text, markup or a picture as ZPL labels (copies as ^PQ), within the input's budget. */
export async function renderLabels(input: RenderInput, copies: number): Promise<{ bytes: Uint8Array; warnings: string[] }> {
  const meter = RenderMeter.of(input);
  const document = await documentLabels(input, meter);
  // Graphic labels are ASCII, text labels UTF-8 (^CI28).
  const bytes = Buffer.from(document.labels.map((label) => encodeZplLabel(label, copies)).join(''), 'utf8');
  meter.checkOutput(bytes.byteLength);
  return { bytes, warnings: document.warnings };
}

/** The preview of a zpl job: its labels, or for raw ZPL the subset of it the preview can draw. */
export async function previewZpl(input: RenderInput, raw: boolean): Promise<PreviewResult> {
  const meter = RenderMeter.of(input);
  const context = { widthDots: printableDots(input.profile), dotsPerMM: input.profile.dotsPerMM, maxPixels: meter.budget.maxPixels };
  if (raw) {
    // Passed through unchanged: the preview reads the subset of ZPL it can draw and names the rest.
    const rawLabels = rawZplLabels(input.body, context.widthDots, meter);
    if (rawLabels.labels.length === 0) {
      throw new DriverError('DOCUMENT_FORMAT_ERROR', `a ${input.contentType} job without a ZPL label (^XA…^XZ) has no preview: its bytes go to the printer unchanged`);
    }
    return previewLabels(rawLabels.labels, { ...context, warnings: rawLabels.warnings });
  }
  const document = await documentLabels(input, meter);
  return previewLabels(document.labels, { ...context, warnings: document.warnings });
}
