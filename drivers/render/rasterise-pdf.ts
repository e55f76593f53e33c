import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RenderOptions } from '../../src/driver-api/index.js';
import { DriverError } from '../../src/driver-api/index.js';
import { readPdfPages, scanPdfPages, type PdfPageSize } from './pdf-pages.js';
import type { RenderMeter } from './render-meter.js';
import { runProgram } from './run-program.js';

export interface PdfRasterOptions {
  /** The printer's resolution in whole dots per inch (203, 180, 300): pages are drawn at it. */
  dpi: number;
  /** The printable width in dots: wider pages (every page with fit `width`) are scaled to it. */
  widthDots: number;
  fit?: RenderOptions['fit'];
  meter: RenderMeter;
  /** For pdfinfo and each pdftoppm run. */
  timeoutMs: number;
}

/** How long pdfinfo and pdftoppm may take, each run. */
export const PDF_TIMEOUT_MS = 30_000;

const PDF_MAGIC = '%PDF-';

/** A page's size in dots: at the printer's resolution, or scaled to the width when wider (or asked to). */
export function planPdfPage(size: PdfPageSize, options: Pick<PdfRasterOptions, 'dpi' | 'widthDots' | 'fit'>): { width: number; height: number; scaled: boolean } {
  const natural = Math.ceil((size.widthPt * options.dpi) / 72);
  if (options.fit !== 'width' && natural <= options.widthDots) return { width: natural, height: Math.ceil((size.heightPt * options.dpi) / 72), scaled: false };
  return { width: options.widthDots, height: Math.ceil((size.heightPt * options.widthDots) / size.widthPt), scaled: true };
}

/** Refuses a PDF starting otherwise than %PDF- (in its first KiB, as readers allow). */
export function checkPdfMagic(pdf: Uint8Array): void {
  if (!Buffer.from(pdf.subarray(0, 1024)).toString('latin1').includes(PDF_MAGIC)) {
    throw new DriverError('DOCUMENT_FORMAT_ERROR', 'the application/pdf document does not start with %PDF-');
  }
}

/**
 * What the PDF's plain text shows, against the budget (Language.check): the page count, and page
 * boxes too tall (whichever way round, when a page is turned). Cheap, and never a false refusal.
 */
export function checkPdf(pdf: Uint8Array, options: Omit<PdfRasterOptions, 'timeoutMs'>): void {
  checkPdfMagic(pdf);
  const scan = scanPdfPages(pdf);
  if (scan.count !== undefined) options.meter.checkPages(scan.count);
  for (const box of scan.boxes) {
    const upright = planPdfPage(box, options).height;
    const turned = scan.turned ? planPdfPage({ widthPt: box.heightPt, heightPt: box.widthPt }, options).height : upright;
    options.meter.checkPageHeight(Math.min(upright, turned), 'a page of the PDF');
  }
}

/**
 * Rasterises a PDF with poppler (Debian package poppler-utils) into one grey PNG per page, within
 * the budget: pdfinfo reads the page count and sizes first, and a PDF with more pages than
 * maxPages, a page taller than maxPageHeightDots or more pixels than maxPixels is refused before
 * pdftoppm draws anything; pdftoppm also crops every page to the height limit, so a PDF that lies
 * cannot make it allocate more. A damaged PDF is a DOCUMENT_FORMAT_ERROR.
 */
export async function rasterisePdf(pdf: Uint8Array, options: PdfRasterOptions): Promise<Uint8Array[]> {
  checkPdfMagic(pdf);
  const { meter } = options;
  const dir = await mkdtemp(path.join(tmpdir(), 'printgate-pdf-'));
  try {
    const input = path.join(dir, 'in.pdf');
    await writeFile(input, pdf);
    const info = await readPdfPages(input, meter.budget.maxPages, options.timeoutMs);
    if (info.count === 0 || info.sizes.length === 0) throw new DriverError('DOCUMENT_FORMAT_ERROR', 'the PDF has no pages');
    meter.checkPages(info.count);
    const plans = info.sizes.map((size, index) => {
      const plan = planPdfPage(size, options);
      meter.checkPageHeight(plan.height, `page ${index + 1} of the PDF`);
      meter.chargePixels(plan.width * plan.height, `page ${index + 1} of the PDF (${plan.width}×${plan.height} dots)`);
      return plan;
    });
    const pages: Uint8Array[] = [];
    for (const run of runsOf(plans.map((plan) => plan.scaled))) {
      const prefix = path.join(dir, `p${run.first}`);
      const args = ['-png', '-gray', '-r', String(options.dpi), '-f', String(run.first), '-l', String(run.last)];
      if (run.scaled) args.push('-scale-to-x', String(options.widthDots), '-scale-to-y', '-1');
      args.push('-x', '0', '-y', '0', '-W', String(options.widthDots), '-H', String(meter.budget.maxPageHeightDots), input, prefix);
      await runProgram('pdftoppm', args, { debianPackage: 'poppler-utils', timeoutMs: options.timeoutMs, purpose: 'rasterise the PDF' });
      const files = (await readdir(dir)).filter((name) => name.startsWith(`p${run.first}-`) && name.endsWith('.png')).sort(byPageNumber);
      pages.push(...(await Promise.all(files.map((name) => readFile(path.join(dir, name))))));
    }
    if (pages.length !== plans.length) throw new DriverError('DOCUMENT_FORMAT_ERROR', `the PDF has ${info.count} pages but only ${pages.length} could be rasterised`);
    return pages;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Consecutive pages drawn alike, as 1-based page ranges. */
function runsOf(scaled: readonly boolean[]): { first: number; last: number; scaled: boolean }[] {
  const runs: { first: number; last: number; scaled: boolean }[] = [];
  scaled.forEach((value, index) => {
    const last = runs[runs.length - 1];
    if (last && last.scaled === value) last.last = index + 1;
    else runs.push({ first: index + 1, last: index + 1, scaled: value });
  });
  return runs;
}

function byPageNumber(a: string, b: string): number {
  return Number(a.replace(/^p\d+-/, '').replace(/\D/g, '')) - Number(b.replace(/^p\d+-/, '').replace(/\D/g, ''));
}
