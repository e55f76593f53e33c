import type { Bitmap } from './bitmap.js';

export type Align = 'left' | 'center' | 'right';
export type Symbology = 'upca' | 'upce' | 'ean13' | 'ean8' | 'code39' | 'itf' | 'codabar' | 'code93' | 'code128';

/**
 * A receipt as a list of printer-neutral operations. Markup, plain text, images and PDFs become
 * ops; each language turns ops into its bytes. Styles persist until changed (as on the printer).
 */
export type ReceiptOp =
  /** `column`: the line is a markup column line, `text` laid out in characters; labels place the two sides themselves. */
  | { op: 'text'; text: string; column?: { left: string; right: string } }
  | { op: 'newline' }
  | { op: 'align'; value: Align }
  | { op: 'style'; bold?: boolean; underline?: boolean; invert?: boolean }
  | { op: 'plain' }
  | { op: 'magnify'; width: number; height: number }
  | { op: 'font'; value: 'A' | 'B' }
  | { op: 'barcode'; symbology: Symbology; data: string; heightDots: number; module: number; hri: boolean }
  | { op: 'qrcode'; data: string; cell: number; errorLevel: 'l' | 'm' | 'q' | 'h'; model: 1 | 2 }
  | { op: 'image'; bitmap: Bitmap }
  | { op: 'cut'; type: 'full' | 'partial' }
  | { op: 'feed'; lines: number }
  | { op: 'drawer' }
  | { op: 'buzzer'; count: number };

export interface ReceiptDocument {
  ops: ReceiptOp[];
  warnings: string[];
}
