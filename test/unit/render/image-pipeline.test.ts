import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { dither } from '../../../drivers/render/dither.js';
import { imageToBitmap } from '../../../drivers/render/image-to-bitmap.js';
import { printableDots } from '../../../drivers/render/bitmap.js';
import { findProfile } from '../../../drivers/profiles/find-profile.js';
import { makeJpeg, makePng } from './document-fixtures.js';

const receipt80 = findProfile('generic-80mm')!;
const receipt58 = findProfile('generic-58mm')!;

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

  it('scales a PNG to the printable width, keeping the aspect ratio and the picture', () => {
    const png = makePng(100, 40, (x) => x < 50);
    const bitmap = imageToBitmap(png, 'image/png', 384, receipt58);
    expect(bitmap.width).toBe(384);
    expect(bitmap.height).toBe(154);
    const row = bitmap.data.subarray(77 * 384, 78 * 384);
    expect(blackShare(row, 0, 180)).toBe(1);
    expect(blackShare(row, 200, 384)).toBe(0);
  });

  it('decodes a JPEG and dithers a grey ramp into a matching share of dots', () => {
    const bitmap = imageToBitmap(makeJpeg(256, 32), 'image/jpeg', 256, receipt80);
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
    const bitmap = imageToBitmap(PNG.sync.write(png), 'image/png', 8, receipt80);
    expect(blackShare(bitmap.data, 0, 8)).toBe(1);
    expect(blackShare(bitmap.data, 8, 64)).toBe(0);
  });

  it.each([
    ['not an image', Buffer.from('hello world')],
    ['a truncated PNG', makePng(50, 50, () => true).subarray(0, 60)],
    ['a PNG with a corrupt CRC', (() => { const png = Buffer.from(makePng(4, 4, () => true)); png[29] ^= 0xff; return png; })()],
    ['a PNG claiming 100000 × 100000', (() => { const png = Buffer.from(makePng(4, 4, () => true)); png.writeUInt32BE(100000, 16); png.writeUInt32BE(100000, 20); return png; })()],
    ['a truncated JPEG', makeJpeg(64, 64).subarray(0, 200)],
  ])('refuses %s with DOCUMENT_FORMAT_ERROR', (_name, bytes) => {
    expect(() => imageToBitmap(bytes, 'image/png', 384, receipt58)).toThrow(expect.objectContaining({ code: 'DOCUMENT_FORMAT_ERROR' }));
  });
});
