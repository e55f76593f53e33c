import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { escposLanguage } from '../../drivers/languages/escpos-language.js';
import { starlineLanguage } from '../../drivers/languages/starline-language.js';
import { starprntLanguage } from '../../drivers/languages/starprnt-language.js';
import { findProfile } from '../../drivers/profiles/find-profile.js';
import type { Language, PrinterProfile, RenderInput, RenderOptions } from '../../src/driver-api/index.js';
import { decodeEscPos, decodeStar, eventsOf, type ReceiptEvent } from '../helpers/receipt-decoder.js';
import { makePng, withDpi } from '../unit/render/document-fixtures.js';

/**
 * Issue 16 on receipt printers, read back with the project's own decoder (written from the
 * command references, not from the encoder): image sizes, the document's charset.
 */
const OPTIONS: RenderOptions = { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' };

interface Case {
  language: Language;
  profile: PrinterProfile;
  decode: (bytes: Uint8Array) => ReceiptEvent[];
  /** Code page number → iconv name, as the profile's code page mapping numbers them. */
  pages: Record<number, string>;
}

const CASES: [string, Case][] = [
  ['escpos', { language: escposLanguage, profile: findProfile('generic-80mm')!, decode: decodeEscPos, pages: { 0: 'cp437', 17: 'cp866', 18: 'cp852', 19: 'cp858' } }],
  ['starprnt', { language: starprntLanguage, profile: findProfile('star-tsp143-starprnt')!, decode: decodeStar, pages: { 1: 'cp437', 4: 'cp858', 5: 'cp852', 10: 'cp866' } }],
  ['starline', { language: starlineLanguage, profile: findProfile('star-tsp143-line')!, decode: decodeStar, pages: { 1: 'cp437', 4: 'cp858', 5: 'cp852', 10: 'cp866' } }],
];

function render(c: Case, body: string | Buffer, contentType: string, extra: Partial<RenderInput> = {}): Promise<ReceiptEvent[]> {
  const input: RenderInput = { body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, contentType, profile: c.profile, options: OPTIONS, ...extra };
  return c.language.render(input).then((result) => c.decode(result.bytes));
}

/** The printed image: raster bands stacked, the columns and rows holding ink. */
function printedImage(events: ReceiptEvent[]): { width: number; rows: number; ink: { left: number; right: number; top: number; bottom: number } } {
  const rows = eventsOf(events, 'raster').flatMap((raster) => raster.rows);
  const ink = { left: Number.POSITIVE_INFINITY, right: -1, top: Number.POSITIVE_INFINITY, bottom: -1 };
  rows.forEach((row, y) =>
    row.forEach((byte, i) => {
      for (let bit = 0; bit < 8; bit++) {
        if (!(byte & (0x80 >> bit))) continue;
        ink.left = Math.min(ink.left, i * 8 + bit);
        ink.right = Math.max(ink.right, i * 8 + bit);
        ink.top = Math.min(ink.top, y);
        ink.bottom = Math.max(ink.bottom, y);
      }
    }),
  );
  return { width: eventsOf(events, 'raster')[0]!.width, rows: rows.length, ink };
}

/** The printed text, each run decoded with the code page it was sent in. */
function printedText(c: Case, events: ReceiptEvent[]): string {
  return events.map((event) => (event.type === 'text' ? iconv.decode(Buffer.from(event.bytes), c.pages[event.page] ?? 'cp437') : event.type === 'newline' ? '\n' : '')).join('').trim();
}

/** A 200 × 60 logo: a frame with a filled square, every pixel's place checkable. */
const LOGO = makePng(200, 60, (x, y) => x < 2 || y < 2 || x > 197 || y > 57 || (x > 20 && x < 60 && y > 20 && y < 40));

describe.each(CASES)('%s: a receipt logo keeps its resolution', (_name, c) => {
  it('a 200 px logo prints 200 dots wide, 60 rows tall, at the left of the 576-dot paper', async () => {
    const image = printedImage(await render(c, LOGO, 'image/png'));
    expect(image.width).toBe(576);
    expect(image.ink).toEqual({ left: 0, right: 199, top: 0, bottom: 59 });
  });

  it('a 72 dpi pHYs (a screen default) changes nothing; fit=width scales it to the paper', async () => {
    expect(printedImage(await render(c, withDpi(LOGO, 72), 'image/png')).ink).toEqual({ left: 0, right: 199, top: 0, bottom: 59 });
    const wide = printedImage(await render(c, LOGO, 'image/png', { options: { ...OPTIONS, fit: 'width' } }));
    expect(wide.ink).toEqual({ left: 0, right: 575, top: 0, bottom: 172 });
  });

  it('markup prints it centred 1:1, or at [image: …; width 100%]; HTML at width=', async () => {
    const url = `data:image/png;base64,${LOGO.toString('base64')}`;
    expect(printedImage(await render(c, `[align: centre][image: url ${url}]`, 'text/vnd.star.markup')).ink).toMatchObject({ left: 188, right: 387 });
    expect(printedImage(await render(c, `[image: url ${url}; width 100%]`, 'text/vnd.star.markup')).ink).toMatchObject({ left: 0, right: 575 });
    expect(printedImage(await render(c, `<img src="${url}" width="50%">`, 'text/html')).ink).toMatchObject({ left: 0, right: 287 });
    expect(printedImage(await render(c, `<center><img src="${url}"></center>`, 'text/html')).ink).toMatchObject({ left: 188, right: 387 });
  });
});

describe.each(CASES)('%s: the document charset', (_name, c) => {
  it('Latin-1 text prints its umlauts (text/plain; charset=iso-8859-1)', async () => {
    const body = iconv.encode('Größe: 42\nÄpfel, Öl, Übermaß\n', 'iso-8859-1');
    expect(printedText(c, await render(c, body, 'text/plain', { charset: 'iso-8859-1' }))).toBe('Größe: 42\nÄpfel, Öl, Übermaß');
    // Read as UTF-8 (no charset) the same bytes are not text: what issue 16 found ("Gr??e").
    expect(printedText(c, await render(c, body, 'text/plain'))).toMatch(/^Gr\?\?e/);
  });

  it.each([
    ['iso-8859-15', 'Preis: 5 € für œuvres'.replace('œuvres', 'alle')],
    ['windows-1252', 'Preis: 5 € – „gut“'.replace(/[–„“]/g, '-')],
    ['windows-1250', 'Łódź, Žluťoučký kůň'],
    ['windows-1251', 'Съешь ещё булок'],
  ])('markup in %s prints the same characters', async (charset, text) => {
    const events = await render(c, iconv.encode(`[align: centre]${text}\n`, charset), 'text/vnd.star.markup', { charset });
    expect(printedText(c, events)).toBe(text);
  });

  it('Shift_JIS half-width katakana print in the printer\'s katakana page', async () => {
    const events = await render(c, iconv.encode('ｶﾀｶﾅ\n', 'shift_jis'), 'text/plain', { charset: 'shift_jis' });
    expect(Buffer.from(eventsOf(events, 'text').flatMap((run) => run.bytes)).toString('hex')).toBe('b6c0b6c5');
  });
});
