import type { Bitmap } from './bitmap.js';
import { packRows } from './bitmap.js';

/** One line of text in the printer's scalable font 0 (^A0N), as a single-line field block (^FB). */
export interface ZplTextField {
  /** ^FO: top left of the field, in dots from the label home. */
  x: number;
  y: number;
  /** ^A0N height and width, in dots. */
  charDots: number;
  /** ^FB width: the field block the line is kept in, in dots. */
  blockWidth: number;
  text: string;
}

/**
 * A label as the encoder sends it, before it becomes ZPL: the one description both the bytes
 * (encodeZplLabel) and the preview (previewZpl) are made from.
 */
export type ZplLabel =
  /** A bitmap at the top left sent as one ^GF graphic field; the label is as long as the bitmap. */
  | { kind: 'graphic'; widthDots: number; bitmap: Bitmap }
  /** Text fields in font 0 with UTF-8 field data (^CI28); the label is `lengthDots` long. */
  | { kind: 'text'; widthDots: number; lengthDots: number; fields: ZplTextField[] };

/** The label's length in dots (^LL). */
export function labelLength(label: ZplLabel): number {
  return label.kind === 'graphic' ? label.bitmap.height : label.lengthDots;
}

/** `^GFA` graphic field: ASCII hex rows, MSB first, 1 = black. */
export function graphicField(bitmap: Bitmap): string {
  const { bytesPerRow, bytes } = packRows(bitmap);
  const hex = Buffer.from(bytes).toString('hex').toUpperCase();
  return `^GFA,${bytes.length},${bytes.length},${bytesPerRow},${hex}`;
}

/** Field data with ^ ~ and _ written as hex escapes (^FH_), so text cannot inject commands. */
export function fieldData(text: string): string {
  return text.replace(/[\^~_\\]/g, (char) => `_${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** A label holding a bitmap at the top left. */
export function graphicLabel(bitmap: Bitmap, widthDots: number): ZplLabel {
  return { kind: 'graphic', widthDots, bitmap };
}

/**
 * A label of text lines in font 0, 3.5 mm high, 2 mm from the edges; lines are 1.25 × the
 * character height apart; empty lines print nothing but keep their place; the label is as long
 * as the text.
 */
export function textLabel(lines: readonly string[], widthDots: number, dotsPerMM: number): ZplLabel {
  const charDots = Math.round(3.5 * dotsPerMM);
  const lineDots = Math.round(charDots * 1.25);
  const margin = Math.round(2 * dotsPerMM);
  const fields: ZplTextField[] = [];
  lines.forEach((text, index) => {
    if (text !== '') fields.push({ x: margin, y: margin + index * lineDots, charDots, blockWidth: widthDots - 2 * margin, text });
  });
  return { kind: 'text', widthDots, lengthDots: Math.max(lineDots, margin * 2 + lines.length * lineDots), fields };
}

/** One label in ZPL, `copies` times (^PQ). Text labels hold UTF-8; graphic labels are ASCII. */
export function encodeZplLabel(label: ZplLabel, copies: number): string {
  if (label.kind === 'graphic') {
    return `^XA^PW${label.widthDots}^LL${label.bitmap.height}^LH0,0^FO0,0${graphicField(label.bitmap)}^FS^PQ${copies}^XZ\n`;
  }
  const fields = label.fields.map(
    (field) => `^FO${field.x},${field.y}^A0N,${field.charDots},${field.charDots}^FB${field.blockWidth},1,0,L^FH_^FD${fieldData(field.text)}^FS`,
  );
  return `^XA^CI28^PW${label.widthDots}^LL${label.lengthDots}^LH0,0${fields.join('')}^PQ${copies}^XZ\n`;
}

/** One label holding a bitmap at the top left, `copies` times (^PQ). */
export function zplImageLabel(bitmap: Bitmap, widthDots: number, copies: number): string {
  return encodeZplLabel(graphicLabel(bitmap, widthDots), copies);
}

/** A label of text lines in the printer's scalable font 0 with UTF-8 field data (^CI28), `copies` times. */
export function zplTextLabel(lines: readonly string[], widthDots: number, dotsPerMM: number, copies: number): string {
  return encodeZplLabel(textLabel(lines, widthDots, dotsPerMM), copies);
}
