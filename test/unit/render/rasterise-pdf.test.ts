import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../drivers/render/decode-image.js';
import { rasterisePdf } from '../../../drivers/render/rasterise-pdf.js';
import { makePdf } from './document-fixtures.js';

// Needs pdftoppm (Debian package poppler-utils); scripts/run-tests.mjs provisions it.
describe('rasterisePdf', () => {
  it('renders each page as a grey PNG at the requested width', async () => {
    // 72 × 72 pt page with its left half black.
    const raster = await rasterisePdf(makePdf(2, 72, 72, [0, 0, 36, 72]), { dpi: 203, maxPages: 10, timeoutMs: 20_000, widthPx: 200 });
    expect(raster.pages).toHaveLength(2);
    expect(raster.warnings).toEqual([]);
    const page = decodeImage(raster.pages[0]!, 'image/png');
    expect(page.width).toBe(200);
    expect(page.height).toBe(200);
    const row = 100 * 200 * 4;
    expect(page.data[row + 10 * 4]).toBe(0);
    expect(page.data[row + 190 * 4]).toBe(255);
  });

  it('stops at the page limit and says so', async () => {
    const raster = await rasterisePdf(makePdf(5, 72, 72, [0, 0, 10, 10]), { dpi: 72, maxPages: 2, timeoutMs: 20_000 });
    expect(raster.pages).toHaveLength(2);
    expect(raster.warnings).toEqual(['only the first 2 of 5 PDF pages were printed']);
  });

  it.each([
    ['not a PDF', Buffer.from('hello')],
    ['a PDF header with garbage', Buffer.from('%PDF-1.4\nthis is not a pdf at all\n')],
    ['a truncated PDF', makePdf(1, 72, 72, [0, 0, 10, 10]).subarray(0, 120)],
  ])('refuses %s with DOCUMENT_FORMAT_ERROR', async (_name, bytes) => {
    await expect(rasterisePdf(bytes, { dpi: 72, maxPages: 2, timeoutMs: 20_000 })).rejects.toMatchObject({ code: 'DOCUMENT_FORMAT_ERROR' });
  });
});
