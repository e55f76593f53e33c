import type { Language, PrinterProfile, RenderOptions, RenderResult } from '../../../src/driver-api/index.js';
import { makePng } from '../render/document-fixtures.js';

export const ONE_COPY: RenderOptions = { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' };

export function render(language: Language, profile: PrinterProfile, contentType: string, body: string | Uint8Array, options: Partial<RenderOptions> = {}): Promise<RenderResult> {
  return language.render({ body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, contentType, profile, options: { ...ONE_COPY, ...options } });
}

/** A receipt in Star Document Markup exercising every supported tag. */
export const RECEIPT_MARKUP = [
  '[align: centre][mag: w 2; h 2][bold]CAFÉ NORD[plain]',
  'Hauptstraße 1 · 10115 Berlin',
  '[align: left]',
  '[column: left Espresso; right 2,80 €]',
  '[column: left Croissant; right 3,10 €]',
  '[underline]Summe[underline: off] \\[EUR\\]',
  '[bold][column: left Total; right 5,90 €][plain]\\',
  '[invert] Danke! [invert: off]',
  '[font: b]Font B line[font: a]',
  '[barcode: type code128; data 0042; height 8mm; hri]',
  '[barcode: type qr; data https://example.test/r/42; cell 4; ec m]',
  '[feed: lines 1]Ende\\',
  '[sparkle]',
  '[cut: partial]',
].join('\n');

/** A 64 × 32 PNG: a black frame with a black diagonal. */
export function framePng(): Buffer {
  return makePng(64, 32, (x, y) => x < 2 || y < 2 || x > 61 || y > 29 || Math.abs(x - 2 * y) < 2);
}
