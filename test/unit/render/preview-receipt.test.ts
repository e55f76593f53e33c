import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { starprntLanguage } from '../../../drivers/languages/starprnt-language.js';
import { escposLanguage } from '../../../drivers/languages/escpos-language.js';
import { findProfile } from '../../../drivers/profiles/find-profile.js';
import type { PrinterProfile, RenderInput } from '../../../src/driver-api/index.js';
import { starlineLanguage } from '../../../drivers/languages/starline-language.js';
import { makePdf, makePng } from './document-fixtures.js';

const OPTIONS = { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' } as const;

function profile(id: string): PrinterProfile {
  const found = findProfile(id);
  if (!found) throw new Error(`no profile ${id}`);
  return found;
}

function input(body: string | Buffer, contentType: string, profileId = 'generic-80mm'): RenderInput {
  return { body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, contentType, profile: profile(profileId), options: OPTIONS };
}

/** The decoded preview: grey per pixel (0 ink, 255 paper, 160 notes). */
interface Picture {
  width: number;
  height: number;
  grey: (x: number, y: number) => number;
}

async function preview(body: string | Buffer, contentType: string, profileId = 'generic-80mm', language = escposLanguage) {
  const result = await language.preview!(input(body, contentType, profileId));
  const png = PNG.sync.read(Buffer.from(result.png));
  const picture: Picture = { width: png.width, height: png.height, grey: (x, y) => png.data[(y * png.width + x) * 4]! };
  return { result, picture };
}

/** Rows holding at least one dot of `value`, grouped into [first, last] runs (gaps under 5 rows, as in "?" or "i", joined). */
function inkRows(picture: Picture, value = 0): [number, number][] {
  const runs: [number, number][] = [];
  for (let y = 0; y < picture.height; y++) {
    let ink = false;
    for (let x = 0; x < picture.width && !ink; x++) ink = picture.grey(x, y) === value;
    if (!ink) continue;
    const last = runs.at(-1);
    if (last && last[1] >= y - 5) last[1] = y;
    else runs.push([y, y]);
  }
  return runs;
}

/** Leftmost and rightmost black column within rows [top, bottom]. */
function inkSpan(picture: Picture, top: number, bottom: number): [number, number] {
  let left = picture.width;
  let right = -1;
  for (let y = top; y <= bottom; y++) {
    for (let x = 0; x < picture.width; x++) {
      if (picture.grey(x, y) !== 0) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
  }
  return [left, right];
}

describe('receipt preview', () => {
  it('is as wide as the printable width: 576 dots on 80 mm, 384 on 58 mm', async () => {
    expect((await preview('hello\n', 'text/plain')).picture.width).toBe(576);
    expect((await preview('hello\n', 'text/plain', 'generic-58mm')).picture.width).toBe(384);
    expect((await preview('hello\n', 'text/plain', 'star-tsp143-starprnt', starprntLanguage)).picture.width).toBe(576);
  });

  it('draws one band of ink per line of text, in order, and ends with a grey cut mark', async () => {
    const { picture } = await preview('first line\n\nthird line\n', 'text/plain');
    const lines = inkRows(picture);
    expect(lines).toHaveLength(2);
    // The blank line between them is a whole line of paper.
    expect(lines[1]![0] - lines[0]![1]).toBeGreaterThan(40);
    expect(inkRows(picture, 160).length).toBeGreaterThan(0);
  });

  it('centres a centred line and right-aligns a right-aligned one', async () => {
    const { picture } = await preview('[align: centre]MIDDLE\n[align: right]END\n', 'text/vnd.star.markup');
    const [middle, end] = inkRows(picture);
    const [left, right] = inkSpan(picture, middle![0], middle![1]);
    expect(Math.abs(left + right - (picture.width - 1))).toBeLessThanOrEqual(14);
    expect(inkSpan(picture, end![0], end![1])[1]).toBeGreaterThan(picture.width - 14);
  });

  it('magnifies: a double-size line is twice as tall and wide as the plain one', async () => {
    const { picture } = await preview('HH\n[magnify: width 2; height 2]HH\n', 'text/vnd.star.markup');
    const [plain, big] = inkRows(picture);
    const plainHeight = plain![1] - plain![0] + 1;
    const bigHeight = big![1] - big![0] + 1;
    expect(bigHeight).toBeGreaterThanOrEqual(plainHeight * 2 - 1);
    const plainWidth = inkSpan(picture, plain![0], plain![1]);
    const bigWidth = inkSpan(picture, big![0], big![1]);
    expect(bigWidth[1] - bigWidth[0]).toBeGreaterThan((plainWidth[1] - plainWidth[0]) * 1.8);
  });

  it('bold text has more ink than plain text; inverted text is mostly black', async () => {
    const count = (picture: Picture, [top, bottom]: [number, number]) => {
      let n = 0;
      for (let y = top; y <= bottom; y++) for (let x = 0; x < picture.width; x++) if (picture.grey(x, y) === 0) n++;
      return n;
    };
    const { picture } = await preview('ABCDEF\n[bold]ABCDEF[bold: off]\n[invert]ABCDEF[invert: off]\n', 'text/vnd.star.markup');
    const [plain, bold, inverted] = inkRows(picture);
    expect(count(picture, bold!)).toBeGreaterThan(count(picture, plain!) * 1.3);
    const [left, right] = inkSpan(picture, inverted![0], inverted![1]);
    expect(right - left + 1).toBe(6 * 12);
    expect(count(picture, inverted!)).toBeGreaterThan(6 * 12 * 24 * 0.6);
  });

  it('lays columns out across the whole line, the right text flush right', async () => {
    const { picture } = await preview('[column: left Coffee; right 3.50]\n', 'text/vnd.star.markup');
    const [line] = inkRows(picture);
    const [left, right] = inkSpan(picture, line![0], line![1]);
    expect(left).toBeLessThan(12);
    expect(right).toBeGreaterThan(picture.width - 13);
  });

  it('an image is drawn as the dots that are sent: 1:1, at its own width', async () => {
    // Left half black, right half white, 64 × 16: 32 columns of ink, 16 rows.
    const png = makePng(64, 16, (x) => x < 32);
    const { picture } = await preview(png, 'image/png');
    const [band] = inkRows(picture);
    expect(band![1] - band![0] + 1).toBe(16);
    expect(inkSpan(picture, band![0], band![1])).toEqual([0, 31]);
  });

  it('an image is drawn at full width with fit=width, as printed', async () => {
    // After scaling to 576 dots the left 288 columns are ink.
    const png = makePng(64, 16, (x) => x < 32);
    const result = await escposLanguage.preview!({ ...input(png, 'image/png', 'generic-80mm'), options: { ...input(png, 'image/png', 'generic-80mm').options, fit: 'width' } });
    const decoded = PNG.sync.read(Buffer.from(result.png));
    const picture: Picture = { width: decoded.width, height: decoded.height, grey: (x, y) => decoded.data[(y * decoded.width + x) * 4]! };
    const [band] = inkRows(picture);
    expect(band![1] - band![0] + 1).toBe(144);
    for (const y of [band![0], band![0] + 70, band![1]]) {
      expect(picture.grey(0, y)).toBe(0);
      expect(picture.grey(287, y)).toBe(0);
      expect(picture.grey(288, y)).toBe(255);
      expect(picture.grey(575, y)).toBe(255);
    }
  });

  it('prints "?" for characters no code page of the profile holds, and text of several scripts', async () => {
    const { result, picture } = await preview('Grüße € Ж Ωμέγα ｱｲｳ\n漢字\n', 'text/plain');
    const [scripts, kanji] = inkRows(picture);
    expect(inkRows(picture)).toHaveLength(2);
    // Every character of the first line has a glyph: 19 cells, the last one inked.
    expect(inkSpan(picture, scripts![0], scripts![1])[1]).toBeGreaterThan(18 * 12);
    expect(result.warnings.join(' ')).not.toMatch(/no glyph/);
    // No code page holds kanji: two "?", two cells.
    const [left, right] = inkSpan(picture, kanji![0], kanji![1]);
    expect(left).toBeLessThan(12);
    expect(right).toBeGreaterThan(12);
    expect(right).toBeLessThan(24);
    const question = await preview('??\n', 'text/plain');
    const [q] = inkRows(question.picture);
    for (let y = 0; y <= q![1] - q![0]; y++) {
      for (let x = 0; x < 24; x++) expect(picture.grey(x, kanji![0] + y)).toBe(question.picture.grey(x, q![0] + y));
    }
  });

  it('draws QR codes and Code 128 from their data, centred, at the module widths the printer is asked for', async () => {
    const markup = '[align: centre][barcode: type qr; data https://example.com/r/1; cell 6]\n[barcode: type code128; data 12345; height 60; hri]\n';
    const { result, picture } = await preview(markup, 'text/vnd.star.markup');
    expect(result.warnings).toEqual([]);
    const [qr, bars, hri] = inkRows(picture);
    // 23 bytes at level M: version 2, 25 modules of 6 dots.
    expect(qr![1] - qr![0] + 1).toBe(150);
    const [left, right] = inkSpan(picture, qr![0], qr![1]);
    expect(right - left + 1).toBe(150);
    expect(Math.abs(left + right - (picture.width - 1))).toBeLessThanOrEqual(1);
    // The top left finder: 7 dark modules across the top, a light ring inside.
    for (let x = left; x < left + 42; x++) expect(picture.grey(x, qr![0])).toBe(0);
    expect(picture.grey(left + 6, qr![0] + 6)).toBe(255);
    expect(picture.grey(left + 18, qr![0] + 18)).toBe(0);
    // Code 128 set B of 5 characters: start, 5 symbols, check (11 modules each), stop (13) = 90 modules
    // of 3 dots (module 2 → GS w 3), 60 dots tall, the digits below.
    expect(bars![1] - bars![0] + 1).toBe(60);
    const [barsLeft, barsRight] = inkSpan(picture, bars![0], bars![1]);
    expect(barsRight - barsLeft + 1).toBe(90 * 3);
    expect(Math.abs(barsLeft + barsRight - (picture.width - 1))).toBeLessThanOrEqual(7);
    const [hriLeft, hriRight] = inkSpan(picture, hri![0], hri![1]);
    expect(Math.abs(hriLeft + hriRight - (picture.width - 1))).toBeLessThanOrEqual(14);
    expect(inkRows(picture, 160).every(([top]) => top > hri![1])).toBe(true);
  });

  it('shows a symbology it cannot draw as a grey box and says so', async () => {
    const { result, picture } = await preview('[barcode: type code39; data ABC]\n', 'text/vnd.star.markup');
    expect(result.warnings.join('\n')).toMatch(/code39 barcodes are drawn by the printer/);
    expect(inkRows(picture)).toEqual([]);
    expect(inkRows(picture, 160).length).toBeGreaterThanOrEqual(2);
  });

  it('draws PDF pages as the dots sent (needs pdftoppm, Debian poppler-utils)', async () => {
    // A 72 × 36 mm page (204 × 102 pt) with a black box in its left half: 576 × 288 dots, the left 288 black.
    const pdf = makePdf(1, 204, 102, [0, 0, 102, 102]);
    const { picture } = await preview(pdf, 'application/pdf');
    const [page] = inkRows(picture);
    expect(page![1] - page![0] + 1).toBeGreaterThanOrEqual(286);
    const middle = Math.floor((page![0] + page![1]) / 2);
    expect(picture.grey(10, middle)).toBe(0);
    expect(picture.grey(280, middle)).toBe(0);
    expect(picture.grey(300, middle)).toBe(255);
  });

  it('Star Line mode draws the same receipt as StarPRNT', async () => {
    const markup = '[align: centre][bold]Star[bold: off]\n[column: left Tea; right 2.00]\n';
    const prnt = await preview(markup, 'text/vnd.star.markup', 'star-tsp143-starprnt', starprntLanguage);
    const line = await preview(markup, 'text/vnd.star.markup', 'star-tsp143-line', starlineLanguage);
    expect(line.picture.width).toBe(576);
    expect(inkRows(line.picture)).toEqual(inkRows(prnt.picture));
  });

  it('refuses raw jobs: their bytes have no preview', async () => {
    await expect(escposLanguage.preview!(input(Buffer.from([0x1b, 0x40]), 'application/vnd.escpos'))).rejects.toMatchObject({ code: 'DOCUMENT_FORMAT_ERROR' });
    await expect(escposLanguage.preview!(input('x', 'application/octet-stream'))).rejects.toThrow(/no preview/);
  });
});
