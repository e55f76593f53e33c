import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { escposLanguage } from '../../../drivers/languages/escpos-language.js';
import { zplLanguage } from '../../../drivers/languages/zpl-language.js';
import { findProfile } from '../../../drivers/profiles/find-profile.js';
import { encodeQr, type QrLevel } from '../../../drivers/render/preview-qr.js';
import type { RenderInput } from '../../../src/driver-api/index.js';
import { picture, readQr } from './independent-readers.js';

/**
 * Issue 10 point 7: the QR symbols the project draws are decoded back by a reader no one here
 * wrote (jsQR), from the encoder directly and from the preview PNGs.
 */

/** The symbol as a PNG: `scale` pixels per module, a 4-module quiet zone. */
function symbolPng(symbol: { size: number; modules: Uint8Array }, scale = 4): Buffer {
  const side = (symbol.size + 8) * scale;
  const png = new PNG({ width: side, height: side });
  png.data.fill(255);
  for (let y = 0; y < symbol.size; y++) {
    for (let x = 0; x < symbol.size; x++) {
      if (!symbol.modules[y * symbol.size + x]) continue;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const i = (((y + 4) * scale + dy) * side + (x + 4) * scale + dx) * 4;
          png.data[i] = png.data[i + 1] = png.data[i + 2] = 0;
        }
      }
    }
  }
  return PNG.sync.write(png);
}

const OPTIONS = { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' } as const;

describe('QR codes the preview draws, decoded by jsQR', () => {
  it.each([
    ['https://example.test/r/42', 'm'],
    ['ORDER-0001', 'l'],
    ['Grüße, 5 €', 'q'],
    ['x'.repeat(120), 'h'],
    [`WIFI:T:WPA;S:shop;P:${'p'.repeat(40)};;`, 'l'],
    ['0123456789'.repeat(30), 'm'],
  ] as [string, QrLevel][])('encodeQr(%j, %s) scans back to the same data', (data, level) => {
    const symbol = encodeQr(Buffer.from(data, 'utf8'), level)!;
    expect(readQr(picture(symbolPng(symbol)))?.data).toBe(data);
  });

  it('every version 1–10 at every level scans', () => {
    const capacity = { l: [17, 32, 53, 78, 106, 134, 154, 192, 230, 271], m: [14, 26, 42, 62, 84, 106, 122, 152, 180, 213], q: [11, 20, 32, 46, 60, 74, 86, 108, 130, 151], h: [7, 14, 24, 34, 44, 58, 64, 84, 98, 119] };
    for (const level of ['l', 'm', 'q', 'h'] as const) {
      capacity[level].forEach((bytes, index) => {
        const data = `v${index + 1}${level}`.padEnd(bytes, '#');
        const symbol = encodeQr(Buffer.from(data), level)!;
        expect(symbol.version, data).toBe(index + 1);
        expect(readQr(picture(symbolPng(symbol, 3)))?.data, `version ${index + 1} ${level}`).toBe(data);
      });
    }
  });

  it('the receipt preview of a markup QR code scans', async () => {
    const input: RenderInput = {
      body: Buffer.from('Thanks!\n[align: centre][barcode: type qr; data https://example.test/r/7; cell 5; ec q]\n'),
      contentType: 'text/vnd.star.markup',
      profile: findProfile('generic-80mm')!,
      options: OPTIONS,
    };
    const preview = await escposLanguage.preview!(input);
    expect(readQr(picture(preview.png))?.data).toBe('https://example.test/r/7');
  });

  it('the label preview of a markup QR code scans', async () => {
    const input: RenderInput = {
      body: Buffer.from('[barcode: type qr; data LABEL-42; cell 4; ec h]'),
      contentType: 'text/vnd.star.markup',
      profile: findProfile('zebra-300dpi')!,
      options: OPTIONS,
    };
    const preview = await zplLanguage.preview!(input);
    expect(readQr(picture(preview.png))?.data).toBe('LABEL-42');
  });
});
