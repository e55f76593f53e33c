import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { dither } from '../../../drivers/render/dither.js';
import { imageToBitmap, type ImageContext } from '../../../drivers/render/image-to-bitmap.js';
import { printableDots } from '../../../drivers/render/bitmap.js';
import { RenderMeter } from '../../../drivers/render/render-meter.js';
import { findProfile } from '../../../drivers/profiles/find-profile.js';
import type { PrinterProfile } from '../../../src/driver-api/index.js';
import { makeJpeg, makePng } from './document-fixtures.js';

const receipt80 = findProfile('generic-80mm')!;
const receipt58 = findProfile('generic-58mm')!;

function images(profile: PrinterProfile, fit?: 'width'): ImageContext {
  return { profile, meter: RenderMeter.of({ profile }), ...(fit ? { fit } : {}) };
}

function blackShare(data: Uint8Array, from = 0, to = data.length): number {
  let black = 0;
  for (let i = from; i < to; i++) black += data[i]!;
  return black / (to - from);
}

describe('image pipeline', () => {
  it('knows the printable width in dots: 58 mm → 384, 80 mm → 576, TM-T88 at 180 dpi → 512', () => {
    expect(printableDots(receipt58)).toBe(384);
    expect(printableDots(receipt80)).toBe(576);
    expect(printableDots(findProfile('epson-tm-t88')!)).toBe(512);
  });

  it('prints a PNG no wider than the paper 1:1, dot for dot', () => {
    const png = makePng(100, 40, (x, y) => (x + y) % 3 === 0);
    const bitmap = imageToBitmap(png, 'image/png', images(receipt58));
    expect([bitmap.width, bitmap.height]).toEqual([100, 40]);
    for (let y = 0; y < 40; y++) for (let x = 0; x < 100; x++) expect(bitmap.data[y * 100 + x]).toBe((x + y) % 3 === 0 ? 1 : 0);
  });

  it('scales a PNG to the printable width with fit=width, keeping the aspect ratio and the picture', () => {
    const png = makePng(100, 40, (x) => x < 50);
    const bitmap = imageToBitmap(png, 'image/png', images(receipt58, 'width'));
    expect(bitmap.width).toBe(384);
    expect(bitmap.height).toBe(154);
    const row = bitmap.data.subarray(77 * 384, 78 * 384);
    expect(blackShare(row, 0, 180)).toBe(1);
    expect(blackShare(row, 200, 384)).toBe(0);
  });

  it('decodes a JPEG and dithers a grey ramp into a matching share of dots', () => {
    const bitmap = imageToBitmap(makeJpeg(256, 32), 'image/jpeg', images(receipt80));
    expect([bitmap.width, bitmap.height]).toEqual([256, 32]);
    const left = blackShare(bitmap.data.subarray(0, 256 * 32).filter((_, i) => i % 256 < 32));
    const right = blackShare(bitmap.data.subarray(0, 256 * 32).filter((_, i) => i % 256 >= 224));
    expect(left).toBeLessThan(0.15);
    expect(right).toBeGreaterThan(0.85);
  });

  it('dithers 50 % grey to about half the dots with Floyd–Steinberg, fewer with Atkinson, none by threshold 128', () => {
    const grey = new Float32Array(64 * 64).fill(128);
    expect(blackShare(dither(grey, 64, 64, 'floyd-steinberg').data)).toBeCloseTo(0.5, 1);
    expect(blackShare(dither(grey, 64, 64, 'threshold').data)).toBe(0);
    const atkinson = blackShare(dither(grey, 64, 64, 'atkinson').data);
    expect(atkinson).toBeGreaterThan(0.2);
    expect(atkinson).toBeLessThan(0.55);
  });

  it('treats transparent pixels as paper', () => {
    const png = new PNG({ width: 8, height: 8 });
    png.data.fill(0); // black, but fully transparent
    for (let i = 0; i < 32; i += 4) png.data[i + 3] = 255; // first row opaque black
    const bitmap = imageToBitmap(PNG.sync.write(png), 'image/png', images(receipt80));
    expect(blackShare(bitmap.data, 0, 8)).toBe(1);
    expect(blackShare(bitmap.data, 8, 64)).toBe(0);
  });

  it.each([
    ['not an image', Buffer.from('hello world')],
    ['a truncated PNG', makePng(50, 50, () => true).subarray(0, 60)],
    ['a PNG with a corrupt CRC', (() => { const png = Buffer.from(makePng(4, 4, () => true)); png.writeUInt8(png.readUInt8(29) ^ 0xff, 29); return png; })()],
    ['a truncated JPEG', makeJpeg(64, 64).subarray(0, 200)],
  ])('refuses %s with DOCUMENT_FORMAT_ERROR', (_name, bytes) => {
    expect(() => imageToBitmap(bytes, 'image/png', images(receipt58))).toThrow(expect.objectContaining({ code: 'DOCUMENT_FORMAT_ERROR' }));
  });

  it('refuses a PNG whose header claims 100000 × 100000 with DOCUMENT_TOO_COMPLEX, before decoding it', () => {
    const png = Buffer.from(makePng(4, 4, () => true));
    png.writeUInt32BE(100000, 16);
    png.writeUInt32BE(100000, 20);
    expect(() => imageToBitmap(png, 'image/png', images(receipt58))).toThrow(
      expect.objectContaining({ code: 'DOCUMENT_TOO_COMPLEX', details: expect.objectContaining({ budget: 'maxPixels', limit: 30_000_000 }) }),
    );
  });
});
