import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../drivers/render/decode-image.js';
import { checkPdf, rasterisePdf, type PdfRasterOptions } from '../../../drivers/render/rasterise-pdf.js';
import { RenderMeter } from '../../../drivers/render/render-meter.js';
import { renderBudget, DEFAULT_RENDER_LIMITS, type RenderBudget } from '../../../src/driver-api/index.js';
import { makePdf } from './document-fixtures.js';

function options(widthDots: number, budget: Partial<RenderBudget> = {}, fit?: 'width'): PdfRasterOptions {
  const meter = new RenderMeter({ ...renderBudget(DEFAULT_RENDER_LIMITS, { dotsPerMM: 8 }), ...budget }, 8);
  return { dpi: 203, widthDots, meter, timeoutMs: 20_000, ...(fit ? { fit } : {}) };
}

// Needs pdftoppm and pdfinfo (Debian package poppler-utils); scripts/run-tests.mjs provisions them.
describe('rasterisePdf', () => {
  it('draws a page that fits at the printer resolution, 1:1 (72 pt = 1 inch = 203 dots)', async () => {
    // 72 × 72 pt page with its left half black.
    const pages = await rasterisePdf(makePdf(2, 72, 72, [0, 0, 36, 72]), options(576));
    expect(pages).toHaveLength(2);
    const page = decodeImage(pages[0]!);
    expect([page.width, page.height]).toEqual([203, 203]);
    const row = 100 * 203 * 4;
    expect(page.data[row + 10 * 4]).toBe(0);
    expect(page.data[row + 190 * 4]).toBe(255);
  });

  it('scales a wider page (A4 on 80 mm paper) to the printable width; fit=width scales every page', async () => {
    const [a4] = await rasterisePdf(makePdf(1, 595, 842, [0, 0, 10, 10]), options(576));
    expect([decodeImage(a4!).width, decodeImage(a4!).height]).toEqual([576, 816]);
    const [small] = await rasterisePdf(makePdf(1, 72, 36, [0, 0, 10, 10]), options(576, {}, 'width'));
    expect([decodeImage(small!).width, decodeImage(small!).height]).toEqual([576, 288]);
  });

  it('refuses more pages than maxPages, naming the budget, before drawing any', async () => {
    await expect(rasterisePdf(makePdf(5, 72, 72, [0, 0, 10, 10]), options(576, { maxPages: 2 }))).rejects.toMatchObject({
      code: 'DOCUMENT_TOO_COMPLEX',
      message: expect.stringMatching(/the PDF has 5 pages; limits.render.maxPages allows 2/),
      details: { budget: 'maxPages', limit: 2, actual: 5 },
    });
  });

  it('refuses the 6 KB PDF of 10 × 14400 pt pages (pdftoppm took 1.23 GB) by its page height (5 m at 1:1)', async () => {
    const pdf = makePdf(10, 10, 14400, [0, 0, 5, 5]);
    await expect(rasterisePdf(pdf, options(576))).rejects.toMatchObject({
      code: 'DOCUMENT_TOO_COMPLEX',
      details: { budget: 'maxPageHeightDots', limit: 16_000, actual: 40_600 },
    });
    // The cheap check at submit time knows it too, from the page boxes.
    expect(() => checkPdf(pdf, options(576))).toThrow(expect.objectContaining({ code: 'DOCUMENT_TOO_COMPLEX' }));
  });

  it('refuses a PDF whose pages together need more than maxPixels', async () => {
    await expect(rasterisePdf(makePdf(20, 595, 842, [0, 0, 10, 10]), options(576, { maxPixels: 5_000_000 }))).rejects.toMatchObject({
      code: 'DOCUMENT_TOO_COMPLEX',
      details: expect.objectContaining({ budget: 'maxPixels', limit: 5_000_000 }),
    });
  });

  it('lets a 20-page A4 office PDF through with the default budget, and the cheap check passes it', async () => {
    const pdf = makePdf(20, 595, 842, [0, 0, 100, 100]);
    expect(() => checkPdf(pdf, options(576))).not.toThrow();
    expect(await rasterisePdf(pdf, options(576))).toHaveLength(20);
  });

  it.each([
    ['not a PDF', Buffer.from('hello')],
    ['a PDF header with garbage', Buffer.from('%PDF-1.4\nthis is not a pdf at all\n')],
    ['a truncated PDF', makePdf(1, 72, 72, [0, 0, 10, 10]).subarray(0, 120)],
  ])('refuses %s with DOCUMENT_FORMAT_ERROR', async (_name, bytes) => {
    await expect(rasterisePdf(bytes, options(576))).rejects.toMatchObject({ code: 'DOCUMENT_FORMAT_ERROR' });
  });
});
