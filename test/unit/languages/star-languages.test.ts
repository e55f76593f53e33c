import { describe, expect, it } from 'vitest';
import { starlineLanguage } from '../../../drivers/languages/starline-language.js';
import { starprntLanguage } from '../../../drivers/languages/starprnt-language.js';
import { findProfile } from '../../../drivers/profiles/find-profile.js';
import { expectGolden } from '../../helpers/golden.js';
import { decodeStar, eventsOf, printedLines } from '../../helpers/receipt-decoder.js';
import { RECEIPT_MARKUP, framePng, render } from './render-cases.js';

const cases = [
  { language: starprntLanguage, profile: findProfile('star-tsp143-starprnt')!, format: 'application/vnd.star.starprnt' },
  { language: starlineLanguage, profile: findProfile('star-mcprint3-line')!, format: 'application/vnd.star.line' },
] as const;

describe.each(cases)('$language.name language', ({ language, profile, format }) => {
  it('declares its inputs and output format', async () => {
    expect(language.acceptedTypes).toEqual(['text/plain', 'text/vnd.star.markup', 'text/html', 'image/png', 'image/jpeg', 'application/pdf', 'image/pwg-raster', 'image/urf', format, 'application/octet-stream']);
    expect((await render(language, profile, 'text/plain', 'x')).documentFormat).toBe(format);
  });

  it('prints text in the Star code pages: CP437, CP858 for €, CP866 for Cyrillic, "?" for the rest', async () => {
    const result = await render(language, profile, 'text/plain', 'Café 5 €\nПривет\n日本\n');
    const events = decodeStar(result.bytes);
    const runs = eventsOf(events, 'text').map((run) => ({ page: run.page, hex: Buffer.from(run.bytes).toString('hex') }));
    // Star's code page numbers: 1 = CP437, 4 = CP858, 10 = CP866.
    expect(runs).toEqual([
      { page: 1, hex: Buffer.from('Caf\x82 5 ', 'latin1').toString('hex') },
      { page: 4, hex: 'd5' },
      { page: 10, hex: '8fe0a8a2a5e2' },
      { page: 1, hex: '3f3f' },
    ]);
    expectGolden(language.name, 'text-codepages', result.bytes);
  });

  it('renders the markup receipt with styles, barcode, QR and one partial cut', async () => {
    const result = await render(language, profile, 'text/vnd.star.markup', RECEIPT_MARKUP);
    expect(result.warnings).toEqual(['markup: unknown tag [sparkle] ignored']);
    const events = decodeStar(result.bytes);
    expect(printedLines(events)).toContain(`Espresso${' '.repeat(48 - 8 - 6)}2,80 \\xd5`);
    expect(eventsOf(events, 'size')).toContainEqual({ type: 'size', width: 2, height: 2 });
    expect(eventsOf(events, 'invert').map((e) => e.on)).toEqual([true, false]);
    expect(eventsOf(events, 'barcode')).toHaveLength(1);
    expect(eventsOf(events, 'qrcode')).toEqual([{ type: 'qrcode', data: 'https://example.test/r/42' }]);
    expect(eventsOf(events, 'cut')).toEqual([{ type: 'cut', partial: true }]);
    expectGolden(language.name, 'markup-receipt', result.bytes);
  });

  it('prints an image 1:1 in 24-dot bands across the printable width', async () => {
    const result = await render(language, profile, 'image/png', framePng());
    const rasters = eventsOf(decodeStar(result.bytes), 'raster');
    expect(rasters.every((r) => r.width === 576)).toBe(true);
    // 64 × 32 at one dot per pixel: 32 rows, two bands of 24.
    expect(rasters).toHaveLength(2);
    const rows = rasters.flatMap((r) => r.rows);
    expect(rows[0]!.slice(0, 8)).toEqual(new Array(8).fill(0xff));
    expect(rows[0]!.slice(8).every((b) => b === 0)).toBe(true);
    expect(rows.slice(32).every((row) => row.every((b) => b === 0))).toBe(true);
    expectGolden(language.name, 'image-frame', result.bytes);
  });

  it('scales an image to the printable width with fit=width', async () => {
    const result = await render(language, profile, 'image/png', framePng(), { fit: 'width' });
    // 64 × 32 scaled to 576 wide is 288 rows: 12 bands of 24.
    expect(eventsOf(decodeStar(result.bytes), 'raster')).toHaveLength(12);
  });

  it('rings the buzzer before and after, opens the drawer at the end, prints each copy', async () => {
    const result = await render(language, profile, 'text/plain', 'x', { copies: 2, preBuzzer: 2, postBuzzer: 1, drawer: 'end' });
    expect(result.warnings).toEqual([]);
    const events = decodeStar(result.bytes);
    expect(events.slice(0, 2)).toEqual([{ type: 'buzzer', count: 1 }, { type: 'buzzer', count: 1 }]);
    expect(events.slice(-2)).toEqual([{ type: 'pulse' }, { type: 'buzzer', count: 1 }]);
    expect(eventsOf(events, 'cut')).toHaveLength(2);
    expect(printedLines(events).filter((line) => line === 'x')).toHaveLength(2);
    expectGolden(language.name, 'copies-buzzer-drawer', result.bytes);
  });
});
