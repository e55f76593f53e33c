import { describe, expect, it } from 'vitest';
import { escposLanguage } from '../../../drivers/languages/escpos-language.js';
import { findProfile } from '../../../drivers/profiles/find-profile.js';
import { expectGolden } from '../../helpers/golden.js';
import { decodeEscPos, eventsOf, printedLines } from '../../helpers/receipt-decoder.js';
import { makePdf, makePng } from '../render/document-fixtures.js';
import { RECEIPT_MARKUP, framePng, render } from './render-cases.js';

const generic80 = findProfile('generic-80mm')!;
const generic58 = findProfile('generic-58mm')!;

/** The first and last column holding a black dot in any of the rows (MSB first). */
function inkColumns(rows: number[][]): [number, number] {
  let first = Number.POSITIVE_INFINITY;
  let last = -1;
  for (const row of rows) {
    row.forEach((byte, i) => {
      for (let bit = 0; bit < 8; bit++) {
        if (byte & (0x80 >> bit)) {
          first = Math.min(first, i * 8 + bit);
          last = Math.max(last, i * 8 + bit);
        }
      }
    });
  }
  return [first, last];
}

function textRuns(bytes: Uint8Array): { page: number; hex: string }[] {
  return eventsOf(decodeEscPos(bytes), 'text').map((run) => ({ page: run.page, hex: Buffer.from(run.bytes).toString('hex') }));
}

describe('escpos language', () => {
  it('declares what it renders and what it passes through', () => {
    expect(escposLanguage.acceptedTypes).toEqual([
      'text/plain', 'text/vnd.star.markup', 'text/html', 'image/png', 'image/jpeg', 'application/pdf', 'image/pwg-raster', 'image/urf', 'application/vnd.escpos', 'application/octet-stream',
    ]);
  });

  it('prints Latin text in CP437 (page 0) and the euro sign in CP858 (page 19)', async () => {
    const result = await render(escposLanguage, generic80, 'text/plain', 'Café\nPreis: 5 €\n');
    expect(result.documentFormat).toBe('application/vnd.escpos');
    expect(textRuns(result.bytes)).toEqual([
      { page: 0, hex: Buffer.from('Caf\x82', 'latin1').toString('hex') },
      { page: 0, hex: Buffer.from('Preis: 5 ', 'latin1').toString('hex') },
      { page: 19, hex: 'd5' },
    ]);
    expectGolden('escpos', 'text-cp437-cp858', result.bytes);
  });

  it('prints Cyrillic in CP866 (page 17)', async () => {
    const result = await render(escposLanguage, generic80, 'text/plain', 'Привет\n');
    const runs = textRuns(result.bytes);
    expect(runs).toEqual([{ page: 17, hex: '8fe0a8a2a5e2' }]);
    expect(new TextDecoder('ibm866').decode(Buffer.from(runs[0]!.hex, 'hex'))).toBe('Привет');
    expectGolden('escpos', 'text-cp866', result.bytes);
  });

  it('prints half-width katakana and 日 in the Katakana page (page 1), "?" for characters no page holds', async () => {
    const result = await render(escposLanguage, generic80, 'text/plain', 'ｶﾀｶﾅ 日 ☃\n');
    const all = textRuns(result.bytes).map((run) => run.hex).join('');
    expect(all).toBe('b6c0b6c520f4203f');
    expect(textRuns(result.bytes).every((run) => run.page === 1)).toBe(true);
    expectGolden('escpos', 'text-katakana', result.bytes);
  });

  it('renders a markup receipt: styles, columns, barcode, QR, unknown tags as warnings, one cut', async () => {
    const result = await render(escposLanguage, generic80, 'text/vnd.star.markup', RECEIPT_MARKUP);
    expect(result.warnings).toEqual(['markup: unknown tag [sparkle] ignored']);
    const events = decodeEscPos(result.bytes);
    const lines = printedLines(events);
    expect(lines).toContain(`Espresso${' '.repeat(48 - 8 - 6)}2,80 \\xd5`);
    expect(lines).toContain('Summe [EUR]');
    expect(lines).toContain('Ende');
    expect(lines.find((line) => line.includes('CAFE') || line.includes('CAF\\x90'))).toBeDefined();
    expect(eventsOf(events, 'size')).toContainEqual({ type: 'size', width: 2, height: 2 });
    expect(eventsOf(events, 'bold').map((e) => e.on)).toContain(true);
    expect(eventsOf(events, 'invert').map((e) => e.on)).toEqual([true, false]);
    expect(eventsOf(events, 'barcode')).toEqual([{ type: 'barcode', data: '0042' }]);
    expect(eventsOf(events, 'qrcode')).toEqual([{ type: 'qrcode', data: 'https://example.test/r/42' }]);
    expect(eventsOf(events, 'cut')).toEqual([{ type: 'cut', partial: true }]);
    expect(eventsOf(events, 'font').map((e) => e.font)).toEqual([0, 1, 0]);
    expectGolden('escpos', 'markup-receipt', result.bytes);
  });

  it('prints a PNG 1:1: a 200 px logo is 200 dots wide on the 576-dot paper, in bands of at most 255 rows', async () => {
    const logo = makePng(200, 300, (x, y) => x < 100 || y < 2);
    const rasters = eventsOf(decodeEscPos((await render(escposLanguage, generic80, 'image/png', logo)).bytes), 'raster');
    expect(rasters.every((r) => r.width === 576)).toBe(true);
    expect(Math.max(...rasters.map((r) => r.height))).toBeLessThanOrEqual(255);
    // 300 rows, padded to a multiple of 8 (README "Rendering rules").
    expect(rasters.reduce((sum, r) => sum + r.height, 0)).toBe(304);
    const rows = rasters.flatMap((r) => r.rows);
    expect(inkColumns(rows)).toEqual([0, 199]);
    expect(rows[0]!.slice(0, 25).every((b) => b === 0xff)).toBe(true);
    expect(rows[10]!.slice(0, 12).every((b) => b === 0xff) && rows[10]![12] === 0xf0 && rows[10]!.slice(13).every((b) => b === 0)).toBe(true);
  });

  it('scales a PNG to the printable width (58 mm → 384 dots) when asked with fit=width', async () => {
    const tall = makePng(10, 100, (x) => x < 5);
    const result = await render(escposLanguage, generic58, 'image/png', tall, { fit: 'width' });
    const rasters = eventsOf(decodeEscPos(result.bytes), 'raster');
    expect(rasters).toHaveLength(Math.ceil(3840 / 255));
    expect(rasters.every((r) => r.width === 384)).toBe(true);
    expect(rasters.reduce((sum, r) => sum + r.height, 0)).toBe(3840);
    // Left half black, right half white.
    expect(rasters[0]!.rows[0]!.slice(0, 22).every((b) => b === 0xff)).toBe(true);
    expect(rasters[0]!.rows[0]!.slice(26).every((b) => b === 0)).toBe(true);
  });

  it('prints a small image golden', async () => {
    const result = await render(escposLanguage, generic58, 'image/png', framePng());
    expectGolden('escpos', 'image-frame', result.bytes);
  });

  it('rasterises a PDF page by page, a page wider than the paper scaled to it', async () => {
    // 136 × 68 pt is 384 × 192 dots at 203 dpi: exactly the 58 mm width.
    const result = await render(escposLanguage, generic58, 'application/pdf', makePdf(2, 136, 68, [0, 0, 68, 68]));
    const rasters = eventsOf(decodeEscPos(result.bytes), 'raster');
    expect(rasters.reduce((sum, r) => sum + r.height, 0)).toBe(2 * 192);
    expect(eventsOf(decodeEscPos(result.bytes), 'cut')).toHaveLength(0); // 58 mm generic has no cutter
  });

  it('applies copies, drawer and cut: each copy initialises and cuts, the drawer pulses once', async () => {
    const result = await render(escposLanguage, generic80, 'text/plain', 'x\n', { copies: 3, drawer: 'start' });
    const events = decodeEscPos(result.bytes);
    expect(events[0]).toEqual({ type: 'pulse' });
    expect(eventsOf(events, 'init')).toHaveLength(3);
    expect(eventsOf(events, 'cut')).toHaveLength(3);
    expect(eventsOf(events, 'pulse')).toHaveLength(1);
    expect(printedLines(events).filter((line) => line === 'x')).toHaveLength(3);
    expectGolden('escpos', 'copies-drawer', result.bytes);
  });

  it('sends the drawer pulse after the last copy for drawer=end, a full cut where the profile says', async () => {
    const result = await render(escposLanguage, { ...generic80, cutter: 'full' }, 'text/plain', 'x', { drawer: 'end' });
    const events = decodeEscPos(result.bytes);
    expect(events[events.length - 1]).toEqual({ type: 'pulse' });
    expect(eventsOf(events, 'cut')).toEqual([{ type: 'cut', partial: false }]);
  });

  it('reports buzzer options as warnings when the profile has no buzzer, and beeps when it has', async () => {
    const quiet = await render(escposLanguage, generic80, 'text/plain', 'x', { preBuzzer: 1 });
    expect(quiet.warnings).toEqual(['buzzer options ignored: profile generic-80mm has no buzzer']);
    expect(eventsOf(decodeEscPos(quiet.bytes), 'buzzer')).toEqual([]);
    const loud = await render(escposLanguage, { ...generic80, buzzer: true }, 'text/plain', 'x', { preBuzzer: 2, postBuzzer: 1 });
    expect(loud.warnings).toEqual([]);
    const events = decodeEscPos(loud.bytes);
    expect(events[0]).toEqual({ type: 'buzzer', count: 2 });
    expect(events[events.length - 1]).toEqual({ type: 'buzzer', count: 1 });
  });

  it('passes ESC/POS bytes through unchanged, once per copy', async () => {
    const raw = Uint8Array.from([0x1b, 0x40, 0x41, 0x0a]);
    const result = await render(escposLanguage, generic80, 'application/vnd.escpos', raw, { copies: 2 });
    expect(Buffer.from(result.bytes).toString('hex')).toBe('1b40410a1b40410a');
  });

  it.each([
    ['image/png', Buffer.from('\x89PNG\r\n\x1a\nbroken', 'latin1')],
    ['image/jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10])],
    ['application/pdf', Buffer.from('%PDF-1.7\nbroken')],
  ])('fails a broken %s with DOCUMENT_FORMAT_ERROR', async (type, body) => {
    await expect(render(escposLanguage, generic80, type, body)).rejects.toMatchObject({ code: 'DOCUMENT_FORMAT_ERROR' });
  });
});
