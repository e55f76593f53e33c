import { describe, expect, it } from 'vitest';
import { escposLanguage } from '../../drivers/languages/escpos-language.js';
import { pdfLanguage } from '../../drivers/languages/pdf-language.js';
import { rawLanguage } from '../../drivers/languages/raw-language.js';
import { starlineLanguage } from '../../drivers/languages/starline-language.js';
import { starprntLanguage } from '../../drivers/languages/starprnt-language.js';
import { zplLanguage } from '../../drivers/languages/zpl-language.js';
import { findProfile } from '../../drivers/profiles/find-profile.js';
import type { Language, PrinterProfile, RenderOptions } from '../../src/driver-api/index.js';
import { decodeEscPos, decodeStar, type ReceiptEvent } from '../helpers/receipt-decoder.js';
import { makePdf, makePng } from '../unit/render/document-fixtures.js';

/**
 * Issue 16: nothing is printed that was not asked for. The end of every language's output is
 * decoded: after a cut come only the next copy, or the drawer pulse and buzzer the job asked for;
 * never a line feed (which some printers feed at the top of the next receipt).
 */
const ONE: RenderOptions = { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' };
const DOCUMENTS: [string, string, Buffer][] = [
  ['text', 'text/plain', Buffer.from('Total 5,90\n')],
  ['markup with a cut in the middle', 'text/vnd.star.markup', Buffer.from('First\n[cut]\nSecond\n[cut: partial]')],
  ['markup ending in a QR code', 'text/vnd.star.markup', Buffer.from('[barcode: type qr; data x]')],
  ['image', 'image/png', makePng(40, 20, (x) => x < 20)],
];
const RECEIPTS: [string, Language, PrinterProfile, (bytes: Uint8Array) => ReceiptEvent[]][] = [
  ['escpos, partial cutter', escposLanguage, findProfile('generic-80mm')!, decodeEscPos],
  ['escpos, full cutter', escposLanguage, { ...findProfile('generic-80mm')!, cutter: 'full' }, decodeEscPos],
  ['starprnt', starprntLanguage, findProfile('star-tsp143-starprnt')!, decodeStar],
  ['starline', starlineLanguage, findProfile('star-tsp143-line')!, decodeStar],
];

/** What follows each cut: undefined at the end of the bytes. */
function afterCuts(events: ReceiptEvent[]): (ReceiptEvent | undefined)[] {
  return events.flatMap((event, i) => (event.type === 'cut' ? [events[i + 1]] : []));
}

describe.each(RECEIPTS)('%s: the bytes after a cut', (_name, language, profile, decode) => {
  it.each(DOCUMENTS)('%s: the copy ends with its cut, a mid-document cut is followed by the next line', async (_doc, type, body) => {
    const events = decode((await language.render({ body, contentType: type, profile, options: ONE })).bytes);
    expect(events.at(-1)?.type).toBe('cut');
    for (const next of afterCuts(events)) expect(next === undefined || next.type !== 'newline').toBe(true);
  });

  it('copies: the next copy starts (initialise) right after the cut; the drawer and buzzer asked for come after the last', async () => {
    const options: RenderOptions = { copies: 2, preBuzzer: 0, postBuzzer: profile.buzzer ? 1 : 0, drawer: 'end' };
    const events = decode((await language.render({ body: Buffer.from('x\n'), contentType: 'text/plain', profile, options })).bytes);
    const [first, last] = afterCuts(events);
    expect(first).toEqual({ type: 'init' });
    expect(last).toEqual({ type: 'pulse' });
    const tail = events.slice(events.lastIndexOf(last!) + 1);
    expect(tail).toEqual(profile.buzzer ? [{ type: 'buzzer', count: 1 }] : []);
  });
});

describe('a receipt printer without a cutter (escpos generic-58mm)', () => {
  it('ends with the feed past the tear bar, and nothing after it', async () => {
    const bytes = (await escposLanguage.render({ body: Buffer.from('Total\n'), contentType: 'text/plain', profile: findProfile('generic-58mm')!, options: ONE })).bytes;
    const events = decodeEscPos(bytes);
    const lastText = events.map((event) => event.type).lastIndexOf('text');
    // The line's own feed, then four to clear the tear bar.
    expect(events.slice(lastText + 1)).toEqual(Array.from({ length: 5 }, () => ({ type: 'newline' })));
  });
});

describe('zpl: the bytes after ^XZ', () => {
  it.each([...DOCUMENTS, ['pdf', 'application/pdf', makePdf(2, 72, 36, [0, 0, 10, 10])] as [string, string, Buffer]])(
    '%s: every label is ^XA…^XZ, followed by one line break (ZPL ignores it) and nothing else',
    async (_doc, type, body) => {
      const zpl = Buffer.from((await zplLanguage.render({ body, contentType: type, profile: findProfile('zebra-203dpi')!, options: { ...ONE, copies: 2 } })).bytes).toString('utf8');
      const parts = zpl.split('^XZ');
      expect(parts.at(-1)).toBe('\n');
      for (const part of parts.slice(0, -1)) expect(part).toMatch(/^\n?\^XA[^]*\^PQ2$/);
    },
  );
});

describe('pass-through languages', () => {
  it('raw and pdf send the document, and only the document, once per copy', async () => {
    const body = Buffer.from('\x1b@hello\n\x1dV\x01');
    const raw = await rawLanguage.render({ body, contentType: 'application/octet-stream', profile: findProfile('generic-80mm')!, options: { ...ONE, copies: 2 } });
    expect(Buffer.from(raw.bytes)).toEqual(Buffer.concat([body, body]));
    const pdf = makePdf(1, 72, 72, [0, 0, 10, 10]);
    const office = await pdfLanguage.render({ body: pdf, contentType: 'application/pdf', profile: findProfile('generic-80mm')!, options: { ...ONE, copies: 2 } });
    expect(Buffer.from(office.bytes)).toEqual(pdf);
    expect(office.copies).toBe(2);
  });
});
