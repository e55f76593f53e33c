import type { Bitmap } from './bitmap.js';
import type { Symbology } from './receipt-ops.js';

/** One line of text in the printer's scalable font 0 (^A0N), as a single-line field block (^FB). */
export interface ZplTextField {
  /** ^FO: top left of the field, in dots from the label home. */
  x: number;
  y: number;
  /** ^A0N height, in dots. */
  charDots: number;
  /** ^A0N width, in dots (magnified text is wider or taller); absent: as high. */
  charWidthDots?: number;
  /** ^FB width: the field block the line is kept in, in dots. */
  blockWidth: number;
  /** ^FB justification in the block; absent: left. */
  justify?: 'L' | 'C' | 'R';
  /** ^FR: printed white where the label is black (over an inverting box). */
  reverse?: boolean;
  text: string;
}

/** What a label holds, in the order the printer lays it down (later fields print over earlier ones). */
export type LabelItem =
  /** ^GF: the dots at x, y (white bits leave the label as it is). */
  | { kind: 'graphic'; x: number; y: number; bitmap: Bitmap }
  /** ^A…^FD: one line of text. */
  | { kind: 'text'; field: ZplTextField }
  /** ^GB: a box outline `thickness` dots wide (solid when the thickness fills it), black or white. */
  | { kind: 'box'; x: number; y: number; width: number; height: number; thickness: number; colour: 'B' | 'W' }
  /** ^BY + ^BC/^BE/…: a 1-D barcode drawn by the printer, bars `heightDots` tall, the text below when `hri`. */
  | { kind: 'barcode'; x: number; y: number; symbology: Symbology; data: string; moduleDots: number; heightDots: number; hri: boolean }
  /** ^BQ: a QR code model 2 drawn by the printer, `cell` dots per module. */
  | { kind: 'qrcode'; x: number; y: number; data: string; cell: number; errorLevel: 'l' | 'm' | 'q' | 'h' };

/**
 * A label as the encoder sends it, before it becomes ZPL: the one description both the bytes
 * (encodeZplLabel) and the preview (previewLabels) are made from. ^PW × ^LL and its fields.
 */
export interface ZplLabel {
  widthDots: number;
  lengthDots: number;
  items: LabelItem[];
}

/** The tallest label ZPL takes (^LL 1–32000). */
export const MAX_LABEL_DOTS = 32_000;

/** A label holding a bitmap at `x` from the left, as long as the bitmap. */
export function graphicLabel(bitmap: Bitmap, widthDots: number, x = 0): ZplLabel {
  return { widthDots, lengthDots: bitmap.height, items: [{ kind: 'graphic', x, y: 0, bitmap }] };
}
