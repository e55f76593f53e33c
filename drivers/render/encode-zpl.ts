import type { Bitmap } from './bitmap.js';
import { packRows } from './bitmap.js';

/** `^GFA` graphic field: ASCII hex rows, MSB first, 1 = black. */
export function graphicField(bitmap: Bitmap): string {
  const { bytesPerRow, bytes } = packRows(bitmap);
  const hex = Buffer.from(bytes).toString('hex').toUpperCase();
  return `^GFA,${bytes.length},${bytes.length},${bytesPerRow},${hex}`;
}

/** One label holding a bitmap at the top left, `copies` times (^PQ). */
export function zplImageLabel(bitmap: Bitmap, widthDots: number, copies: number): string {
  return `^XA^PW${widthDots}^LL${bitmap.height}^LH0,0^FO0,0${graphicField(bitmap)}^FS^PQ${copies}^XZ\n`;
}

/** Field data with ^ ~ and _ written as hex escapes (^FH_), so text cannot inject commands. */
export function fieldData(text: string): string {
  return text.replace(/[\^~_\\]/g, (char) => `_${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * A label of text lines in the printer's scalable font 0 with UTF-8 field data (^CI28). Lines
 * are `lineDots` apart; the label is as long as the text.
 */
export function zplTextLabel(lines: readonly string[], widthDots: number, dotsPerMM: number, copies: number): string {
  const charDots = Math.round(3.5 * dotsPerMM);
  const lineDots = Math.round(charDots * 1.25);
  const margin = Math.round(2 * dotsPerMM);
  const fields = lines.map((line, index) =>
    line === '' ? '' : `^FO${margin},${margin + index * lineDots}^A0N,${charDots},${charDots}^FB${widthDots - 2 * margin},1,0,L^FH_^FD${fieldData(line)}^FS`,
  );
  const length = Math.max(lineDots, margin * 2 + lines.length * lineDots);
  return `^XA^CI28^PW${widthDots}^LL${length}^LH0,0${fields.join('')}^PQ${copies}^XZ\n`;
}
