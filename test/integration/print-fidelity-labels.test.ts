import iconv from 'iconv-lite';
import { ready } from 'zpl-renderer-js';
import { describe, expect, it } from 'vitest';
import { zplLanguage } from '../../drivers/languages/zpl-language.js';
import { findProfile } from '../../drivers/profiles/find-profile.js';
import type { RenderInput, RenderOptions } from '../../src/driver-api/index.js';
import { decodeZplLabels } from '../helpers/zpl-labels.js';
import { withDpi } from '../unit/render/document-fixtures.js';
import { dark, inkSpan, ocr, picture, readQr, renderZpl } from '../unit/render/independent-readers.js';

/**
 * Issue 16, checked by readers no one here wrote: the ZPL printgate sends is drawn by Zebrash
 * (npm zpl-renderer-js) and read back with tesseract (Debian tesseract-ocr) and jsQR.
 */
const zebra = findProfile('zebra-203dpi')!;
const OPTIONS: RenderOptions = { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' };

function input(body: string | Buffer, contentType: string, extra: Partial<RenderInput> = {}): RenderInput {
  return { body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, contentType, profile: zebra, options: OPTIONS, ...extra };
}

async function printed(body: string | Buffer, contentType: string, extra: Partial<RenderInput> = {}) {
  const result = await zplLanguage.render(input(body, contentType, extra));
  const zpl = Buffer.from(result.bytes).toString('utf8');
  const labels = decodeZplLabels(zpl);
  const drawn = await Promise.all(zpl.split(/(?<=\^XZ\n)/).filter((part) => part.includes('^XA')).map((part, i) => renderZpl(part, labels[i]!.width, labels[i]!.length, 8)));
  return { zpl, labels, drawn, warnings: result.warnings };
}

const MARKUP = [
  '[align: centre][mag: w 2; h 2]PARCEL 42[plain]',
  '[align: left]Ship to: Erika Mustermann',
  '[column: left Weight; right 2.5 kg]',
  '[align: right]Berlin 10115',
  '[align: centre][barcode: type code128; data ABC12345; height 20mm; hri]',
  '[barcode: type qr; data https://example.test/t/42; cell 6; ec m]',
  '[feed: lines 2]THANK YOU',
].join('\n');

describe('Star markup on a ZPL label printer, read back by Zebrash + tesseract + jsQR', () => {
  it('prints the text, with its alignment and magnification, the column line, a ^BC barcode and a ^BQ QR code', async () => {
    const { labels, drawn, warnings } = await printed(MARKUP, 'text/vnd.star.markup');
    expect(warnings).toEqual([]);
    expect(labels).toHaveLength(1);
    const [label] = labels;
    const [pic] = drawn;
    expect([pic!.width, pic!.height]).toEqual([label!.width, label!.length]);
    const lines = ocr(pic!);
    for (const expected of ['PARCEL 42', 'Ship to: Erika Mustermann', 'Weight 2.5 kg', 'Berlin 10115', 'ABC12345', 'THANK YOU']) expect(lines).toContain(expected);
    expect(label!.codes.map((code) => [code.command, code.data])).toEqual([['^BC', 'ABC12345'], ['^BQ', 'MA,https://example.test/t/42']]);
    // The QR code scans, where the layout put it.
    const qr = label!.codes[1]!;
    expect(readQr(pic!)).toEqual({ data: 'https://example.test/t/42', x: qr.x, y: qr.y + 10 });

    const heading = label!.texts.find((field) => field.text === 'PARCEL 42')!;
    const [left, right] = inkSpan(pic!, heading.y, heading.y + heading.height);
    // Centred and twice as large: the middle of the ink within a few dots of the label's middle.
    expect(Math.abs((left + right) / 2 - 416)).toBeLessThan(8);
    expect(heading.height).toBe(56);
    const city = label!.texts.find((field) => field.text === 'Berlin 10115')!;
    expect(inkSpan(pic!, city.y, city.y + city.height)[1]).toBeGreaterThan(832 - 16 - 6);
    const ship = label!.texts.find((field) => field.text.startsWith('Ship'))!;
    expect(inkSpan(pic!, ship.y, ship.y + ship.height)[0]).toBeLessThan(16 + 6);
  });

  it('the label is as long as its content; the preview is the same size and its QR code scans too', async () => {
    const { labels } = await printed(MARKUP, 'text/vnd.star.markup');
    const last = labels[0]!.texts.at(-1)!;
    expect(labels[0]!.length).toBe(last.y + last.height + 7 + 16);
    const preview = await zplLanguage.preview!(input(MARKUP, 'text/vnd.star.markup'));
    expect([preview.width, preview.height]).toEqual([832, labels[0]!.length]);
    // The preview's QR code scans, at the very place Zebrash draws the printed one.
    const { drawn } = await printed(MARKUP, 'text/vnd.star.markup');
    expect(readQr(picture(preview.png))).toEqual(readQr(drawn[0]!));
    expect(readQr(picture(preview.png))?.data).toBe('https://example.test/t/42');
  });

  it('a [cut] starts the next label; an image in markup is a ^GF graphic at its own size', async () => {
    const logo = Buffer.from(await (await ready).api.zplToBase64Async('^XA^FO0,0^GB80,40,40^FS^XZ', 10, 5, 8), 'base64');
    const { labels, drawn } = await printed(`FIRST\n[cut]\n[image: url data:image/png;base64,${logo.toString('base64')}]SECOND`, 'text/vnd.star.markup');
    expect(labels.map((label) => label.texts.map((text) => text.text))).toEqual([['FIRST'], ['SECOND']]);
    expect(labels[1]!.graphics.map((graphic) => [graphic.width, graphic.height])).toEqual([[80, 40]]);
    expect(ocr(drawn[0]!)).toEqual(['FIRST']);
    expect(ocr(drawn[1]!)).toContain('SECOND');
  });
});

describe('images on a Zebra profile', () => {
  /** A carrier's 4 × 6 inch label at 203 dpi (812 × 1218), drawn by Zebrash as carriers draw theirs, with a pHYs of `dpi`. */
  async function carrierLabel(dpi: number): Promise<Buffer> {
    const zpl =
      '^XA^PW812^LL1218^FO40,40^A0N,60,60^FDACME PARCEL^FS^FO40,130^A0N,40,40^FDSHIP TO: ERIKA MUSTERMANN^FS' +
      '^FO40,190^A0N,40,40^FDHAUPTSTRASSE 1, 10115 BERLIN^FS^FO40,260^GB732,4,4^FS^FO80,300^BY3^BCN,200,Y,N,N^FD1Z999AA10123456784^FS' +
      '^FO250,600^BQN,2,8^FDMA,https://track.example/1Z999AA10123456784^FS^FO40,1100^A0N,50,50^FDWEIGHT 2.5 KG^FS^XZ';
    const png = Buffer.from(await (await ready).api.zplToBase64Async(zpl, 101.5, 152.25, 8), 'base64');
    return withDpi(png, dpi);
  }

  it('prints a carrier 4 × 6 label PNG at 203 dpi 1:1: every pixel one dot, text and codes readable from the bytes sent', async () => {
    const png = await carrierLabel(203);
    const source = picture(png);
    expect([source.width, source.height]).toEqual([812, 1218]);
    const { labels, drawn } = await printed(png, 'image/png');
    const [graphic] = labels[0]!.graphics;
    expect([labels[0]!.width, labels[0]!.length]).toEqual([832, 1218]);
    expect([graphic!.x, graphic!.y, graphic!.height]).toEqual([0, 0, 1218]);
    let mismatches = 0;
    for (let y = 0; y < 1218; y++) for (let x = 0; x < 812; x++) if ((graphic!.dots[y * graphic!.width + x] === 1) !== dark(source, x, y)) mismatches += 1;
    expect(mismatches).toBe(0);
    const lines = ocr(drawn[0]!);
    for (const expected of ['ACME PARCEL', 'SHIP TO: ERIKA MUSTERMANN', '1Z999AA10123456784', 'WEIGHT 2.5 KG']) expect(lines).toContain(expected);
    expect(readQr(drawn[0]!)?.data).toBe('https://track.example/1Z999AA10123456784');
  });

  it('sizes an image by its pHYs when it states another print resolution: 812 × 1218 px at 300 dpi is 2.7 × 4 inches', async () => {
    const { labels } = await printed(await carrierLabel(300), 'image/png');
    const [graphic] = labels[0]!.graphics;
    expect([graphic!.width, graphic!.height]).toEqual([552, Math.round((1218 * 203.2) / 300)]);
  });
});

describe('text/plain in its charset on a label', () => {
  it('prints ISO-8859-1 text with its umlauts (UTF-8 field data under ^CI28), read back by OCR', async () => {
    const { zpl, labels, drawn } = await printed(iconv.encode('GROSSE KISTE\nMUELLER & SOEHNE\nGröße: 42\n', 'iso-8859-1'), 'text/plain', { charset: 'iso-8859-1' });
    expect(zpl).toContain('^CI28');
    expect(labels[0]!.texts.map((text) => text.text)).toEqual(['GROSSE KISTE', 'MUELLER & SOEHNE', 'Größe: 42']);
    const lines = ocr(drawn[0]!);
    expect(lines).toContain('GROSSE KISTE');
    expect(lines).toContain('MUELLER & SOEHNE');
  });
});
