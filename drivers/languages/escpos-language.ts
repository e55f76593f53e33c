import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import type { Language, RenderInput, RenderResult } from '../../src/driver-api/index.js';
import { DriverError } from '../../src/driver-api/index.js';
import { concat, isRawType, RAW_TYPES, repeat, textLines } from './text-document.js';

const FEED_BEFORE_CUT = 4;

function encoder(columns: number): ReceiptPrinterEncoder {
  return new ReceiptPrinterEncoder({
    language: 'esc-pos',
    columns,
    newline: '\n',
    codepageMapping: 'epson',
    feedBeforeCut: FEED_BEFORE_CUT,
  });
}

/**
 * ESC/POS (Epson and compatibles). Text is printed in the code page that holds each character
 * (CP437, CP858, CP866, Katakana, ...), switching per run; characters no page holds become "?".
 * Each copy: initialise, the text, feed, cut. The drawer pulses once, before or after all copies.
 */
export const escposLanguage: Language = {
  name: 'escpos',
  acceptedTypes: ['text/plain', ...RAW_TYPES],
  async render(input: RenderInput): Promise<RenderResult> {
    const { options, profile } = input;
    const warnings: string[] = [];
    if (options.preBuzzer > 0 || options.postBuzzer > 0) {
      warnings.push(profile.buzzer ? 'buzzer options are not supported on ESC/POS yet' : `buzzer options ignored: profile ${profile.id} has no buzzer`);
    }
    let copy: Uint8Array;
    if (isRawType(input.contentType)) {
      copy = input.body;
    } else if (input.contentType === 'text/plain') {
      const doc = encoder(profile.columns).initialize().codepage('auto');
      for (const line of textLines(input.body)) doc.line(line);
      if (profile.cutter === 'none') doc.newline(FEED_BEFORE_CUT);
      else doc.cut(profile.cutter);
      copy = doc.encode();
    } else {
      throw new DriverError('DOCUMENT_FORMAT_ERROR', `escpos cannot render ${input.contentType}`);
    }
    const parts = repeat([copy], options.copies);
    if (options.drawer !== 'none') {
      const pulse = encoder(profile.columns).pulse().encode();
      if (!profile.drawer) warnings.push(`profile ${profile.id} has no cash drawer port; pulse sent anyway`);
      if (options.drawer === 'start') parts.unshift(pulse);
      else parts.push(pulse);
    }
    return { bytes: concat(parts), documentFormat: 'application/vnd.escpos', warnings };
  },
};
