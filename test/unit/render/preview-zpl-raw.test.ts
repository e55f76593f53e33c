import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { zplLanguage } from '../../../drivers/languages/zpl-language.js';
import { findProfile } from '../../../drivers/profiles/find-profile.js';
import { zplCommands } from '../../../drivers/render/preview-zpl-commands.js';
import { decodeGraphicField } from '../../../drivers/render/preview-zpl-graphic.js';
import type { PreviewResult, RenderInput } from '../../../src/driver-api/index.js';
import { framePng } from '../languages/render-cases.js';
import { makePng } from './document-fixtures.js';

const OPTIONS = { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' } as const;

function input(body: string | Buffer, contentType: string, profileId = 'zebra-203dpi'): RenderInput {
  return { body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, contentType, profile: findProfile(profileId)!, options: OPTIONS };
}

function grey(result: PreviewResult): { width: number; height: number; at: (x: number, y: number) => number; pixels: Buffer } {
  const png = PNG.sync.read(Buffer.from(result.png));
  const pixels = Buffer.alloc(png.width * png.height);
  for (let i = 0; i < pixels.length; i++) pixels[i] = png.data[i * 4]!;
  return { width: png.width, height: png.height, at: (x, y) => pixels[y * png.width + x]!, pixels };
}

function previewRaw(zpl: string | Buffer, profileId = 'zebra-203dpi'): Promise<PreviewResult> {
  return zplLanguage.preview!(input(zpl, 'application/vnd.zebra.zpl', profileId));
}

/** Count of pixels of `value` in the rectangle. */
function count(pic: ReturnType<typeof grey>, x: number, y: number, width: number, height: number, value = 0): number {
  let n = 0;
  for (let row = y; row < y + height; row++) for (let col = x; col < x + width; col++) n += pic.at(col, row) === value ? 1 : 0;
  return n;
}

describe('zpl preview of raw ZPL', () => {
  for (const [name, body, contentType, profileId] of [
    ['an image label', framePng(), 'image/png', 'zebra-300dpi'],
    ['a text label', 'Order 42\n\nGröße ^XZ ~JR _x\n', 'text/plain', 'zebra-203dpi'],
  ] as const) {
    it(`draws ${name} the gateway encoded, sent back as raw ZPL, exactly as the preview of the document`, async () => {
      const rendered = await zplLanguage.render(input(body, contentType, profileId));
      const fromDocument = await zplLanguage.preview!(input(body, contentType, profileId));
      const fromZpl = await previewRaw(Buffer.from(rendered.bytes), profileId);
      expect(grey(fromZpl).pixels.equals(grey(fromDocument).pixels)).toBe(true);
      expect([fromZpl.width, fromZpl.height]).toEqual([fromDocument.width, fromDocument.height]);
      expect(fromZpl.warnings).toEqual(fromDocument.warnings);
    });
  }

  it('reads Zebra-compressed, Z64 and B64 ^GFA data as the same dots as plain hex', () => {
    const plain = decodeGraphicField('A,12,12,3,FFFFFF000000F0000FFFFFFF');
    // Row 1: six F (L = 6); row 2: "," white to the end; row 3: F, four 0 (J = 4), F; row 4: "!" black to the end.
    expect(typeof plain).toBe('object');
    const compressed = decodeGraphicField('A,12,12,3,LF,FJ0F!');
    expect(compressed).toEqual(plain);
    const packed = Buffer.from('FFFFFF000000F0000FFFFFFF', 'hex');
    expect(decodeGraphicField(`A,12,12,3,:Z64:${deflateSync(packed).toString('base64')}:1A2B`)).toEqual(plain);
    expect(decodeGraphicField(`A,12,12,3,:B64:${packed.toString('base64')}:1A2B`)).toEqual(plain);
    const repeated = decodeGraphicField('A,9,9,3,F0000F::');
    expect(typeof repeated).toBe('object');
    expect((repeated as { data: Uint8Array }).data).toEqual((decodeGraphicField('A,9,9,3,F0000FF0000FF0000F') as { data: Uint8Array }).data);
    expect(decodeGraphicField('B,3,3,1,abc')).toMatch(/binary/);
    expect(decodeGraphicField('A,3,3,1,FF$F')).toMatch(/holds/);
  });

  it('splits commands, ^A naming its font with one letter', () => {
    expect(zplCommands('^XA\r\n^FO10,20^A0N,28,28^FDHi there^FS~JR^A@N,30,30,E:ARIAL.TTF^XZ')).toEqual([
      { name: '^XA', params: '' },
      { name: '^FO', params: '10,20' },
      { name: '^A', params: '0N,28,28' },
      { name: '^FD', params: 'Hi there' },
      { name: '^FS', params: '' },
      { name: '~JR', params: '' },
      { name: '^A@', params: 'N,30,30,E:ARIAL.TTF' },
      { name: '^XZ', params: '' },
    ]);
  });

  it('draws ^GB boxes: an outline of the thickness sent, solid when the thickness fills it, white boxes clearing', async () => {
    const result = await previewRaw('^XA^PW832^LL200^FO10,10^GB100,50,3^FS^FO200,10^GB40,40,40^FS^FO210,20^GB10,10,10,W^FS^XZ');
    const pic = grey(result);
    expect([pic.width, pic.height]).toEqual([832, 200]);
    expect(count(pic, 10, 10, 100, 3)).toBe(300);
    expect(count(pic, 13, 13, 94, 44)).toBe(0);
    expect(count(pic, 10, 57, 100, 3)).toBe(300);
    expect(count(pic, 200, 10, 40, 40)).toBe(1600 - 100);
    expect(count(pic, 210, 20, 10, 10, 255)).toBe(100);
    expect(count(pic, 0, 0, 832, 200)).toBe(300 + 300 + 2 * 44 * 3 + 1500);
    expect(result.warnings).toEqual([]);
  });

  it('leaves off barcodes, ^FT fields, rotated and reversed fields, and names them in the warnings', async () => {
    const zpl = [
      '^XA^PW832^LL300^BY2',
      '^FO20,20^BCN,80,Y,N,N^FD12345678^FS',
      '^FT20,200^A0N,30,30^FDbaseline^FS',
      '^FO20,220^A0R,30,30^FDsideways^FS',
      '^FO400,20^GB100,100,100^FS^FO400,20^FR^A0N,30,30^FDreversed^FS',
      '^FO300,250^A0N,30,30^FDshown^FS',
      '^PQ2^XZ',
    ].join('\n');
    const result = await previewRaw(zpl);
    const pic = grey(result);
    expect(result.warnings[0]).toBe('preview: not drawn (the preview does not read them): ^BY, ^BC, ^FT, rotated text (^A0R), ^FR');
    // Only the box and the last line are drawn.
    expect(count(pic, 0, 0, 400, 250)).toBe(0);
    expect(count(pic, 400, 20, 100, 100)).toBe(10_000);
    expect(count(pic, 300, 250, 200, 30)).toBeGreaterThan(100);
  });

  it('draws a label without ^LL down to its lowest field, honours ^LH and ^CI28, and says so', async () => {
    const result = await previewRaw(Buffer.from('^XA^CI28^LH30,40^FO0,0^A0N,40,40^FH\\^FD\\5E Grüße^FS^XZ', 'utf8'));
    const pic = grey(result);
    expect(pic.height).toBe(80);
    expect(result.warnings).toContain('preview: label 1 sets no length (^LL); drawn down to its lowest field');
    expect(count(pic, 0, 0, 30, 80)).toBe(0);
    expect(count(pic, 0, 0, 832, 40)).toBe(0);
    expect(count(pic, 30, 40, 24 * 7, 40)).toBeGreaterThan(200);
    expect(result.warnings.some((warning) => warning.includes('no glyph'))).toBe(false);
  });

  it('keeps ^LL, ^LH and ^CI from one label to the next, as the printer does', async () => {
    const result = await previewRaw(Buffer.from('^XA^CI28^LL100^LH50,10^FO0,0^GB10,10,10^FS^XZ^XA^FO0,0^GB20,20,20^FS^XZ', 'utf8'));
    const pic = grey(result);
    expect(pic.height).toBe(100 + 24 + 100);
    expect(result.warnings).toEqual([]);
    expect(count(pic, 50, 10, 10, 10)).toBe(100);
    expect(count(pic, 50, 124 + 10, 20, 20)).toBe(400);
    expect(count(pic, 0, 0, 832, 224)).toBe(500);
  });

  it('keeps a font given before the field origin with the field', async () => {
    const pic = grey(await previewRaw('^XA^LL100^A0N,40,40^FO10,10^FDHH^FS^XZ'));
    let top = -1;
    let bottom = -1;
    for (let y = 0; y < pic.height; y++) {
      if (count(pic, 0, y, 832, 1) === 0) continue;
      if (top < 0) top = y;
      bottom = y;
    }
    expect(top).toBeGreaterThanOrEqual(10);
    expect(bottom - top + 1).toBeGreaterThan(20);
    expect(bottom).toBeLessThan(50);
  });

  it('draws two labels of one job one below the other', async () => {
    const one = (await zplLanguage.render(input(makePng(8, 100, (x) => x < 4), 'image/png'))).bytes;
    const result = await previewRaw(Buffer.concat([Buffer.from(one), Buffer.from(one)]));
    expect(result.height).toBe(100 * 2 + 24);
  });
});
