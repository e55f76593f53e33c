import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { escposLanguage } from '../../../drivers/languages/escpos-language.js';
import { planRasterPage, rasterBitmaps } from '../../../drivers/render/raster-document.js';
import { readPwgRaster } from '../../../drivers/render/pwg-raster.js';
import { RenderMeter } from '../../../drivers/render/render-meter.js';
import { findProfile } from '../../../drivers/profiles/find-profile.js';
import { DEFAULT_RENDER_LIMITS, renderBudget, type RenderInput } from '../../../src/driver-api/index.js';
import { decodeEscPos, eventsOf } from '../../helpers/receipt-decoder.js';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/documents');
const generic80 = findProfile('generic-80mm')!;
const options = { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' as const };

function input(file: string, contentType: string, budget = renderBudget(DEFAULT_RENDER_LIMITS, generic80)): RenderInput {
  return { body: readFileSync(path.join(fixtures, file)), contentType, profile: generic80, options, budget };
}

/** First and last column with a black dot, and the rows that have any. */
function inkBox(bitmap: { width: number; height: number; data: Uint8Array }): { left: number; right: number; top: number; bottom: number } {
  let left = Infinity, right = -1, top = Infinity, bottom = -1;
  for (let y = 0; y < bitmap.height; y++) {
    for (let x = 0; x < bitmap.width; x++) {
      if (!bitmap.data[y * bitmap.width + x]) continue;
      left = Math.min(left, x); right = Math.max(right, x); top = Math.min(top, y); bottom = Math.max(bottom, y);
    }
  }
  return { left, right, top, bottom };
}

// Fixtures made by Ghostscript's pwgraster and appleraster devices from one PostScript page:
// 80 mm × 20 mm, a black box from 10 mm to 20 mm across and 2 mm to 5 mm up.
const CASES: [string, string][] = [
  ['box-80mm-sgray8.pwg', 'image/pwg-raster'],
  ['box-80mm-black1.pwg', 'image/pwg-raster'],
  ['box-80mm-srgb8-300dpi.pwg', 'image/pwg-raster'],
  ['box-80mm-w8.urf', 'image/urf'],
  ['box-80mm-srgb24.urf', 'image/urf'],
];

describe('PWG and Apple raster decoding', () => {
  it.each(CASES)('%s prints exactly the printable width, the box where the page put it', (file, type) => {
    const [bitmap, ...rest] = rasterBitmaps(input(file, type), RenderMeter.of(input(file, type)));
    expect(rest).toEqual([]);
    // 80 mm paper at 8 dots/mm is 640 dots; the 4 mm margins each side are cropped: 576 dots printable.
    expect(bitmap!.width).toBe(576);
    const box = inkBox(bitmap!);
    // 10 mm from the paper edge is 6 mm (48 dots) from the printable edge; 10 mm wide is 80 dots.
    expect(Math.abs(box.left - 48)).toBeLessThanOrEqual(2);
    expect(Math.abs(box.right - 127)).toBeLessThanOrEqual(2);
    expect(Math.abs(box.bottom - box.top + 1 - 24)).toBeLessThanOrEqual(2);
  });

  it('reads the header before decoding: a page over the pixel budget is refused with DOCUMENT_TOO_COMPLEX', () => {
    const tight = { ...renderBudget(DEFAULT_RENDER_LIMITS, generic80), maxPixels: 10_000 };
    const doc = input('box-80mm-sgray8.pwg', 'image/pwg-raster', tight);
    expect(() => escposLanguage.check!(doc)).toThrow(expect.objectContaining({ code: 'DOCUMENT_TOO_COMPLEX' }));
  });

  it('refuses a cut-off raster and a wrong sync word with DOCUMENT_FORMAT_ERROR, never a crash', () => {
    const whole = readFileSync(path.join(fixtures, 'box-80mm-sgray8.pwg'));
    for (const body of [whole.subarray(0, whole.length - 5), whole.subarray(0, 1000), Buffer.from('RaS3' + 'x'.repeat(2000)), Buffer.alloc(0)]) {
      expect(() => readPwgRaster(body, () => null)).toThrow(expect.objectContaining({ code: 'DOCUMENT_FORMAT_ERROR' }));
    }
  });

  it('scales a page wider than the paper down to the printable width', () => {
    const plan = planRasterPage({ width: 2480, height: 3508, xDpi: 300, yDpi: 300 }, generic80);
    expect(plan.width).toBe(576);
    expect(plan.cropX).toBe(0);
  });

  it('renders a PWG raster on ESC/POS as one raster image the printable width wide, its blank bottom not fed', async () => {
    const result = await escposLanguage.render(input('box-80mm-sgray8.pwg', 'image/pwg-raster'));
    const bands = eventsOf(decodeEscPos(result.bytes), 'raster');
    expect(bands.length).toBeGreaterThan(0);
    expect(new Set(bands.map((band) => band.width))).toEqual(new Set([576]));
    // The page is 20 mm (160 dots) long; the box ends 2 mm (16 dots) above its end: those blank rows are
    // trimmed (the encoder pads the last band to whole bytes of rows).
    const height = bands.reduce((sum, band) => sum + band.height, 0);
    expect(height).toBeLessThan(160);
  });
});
