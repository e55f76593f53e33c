import type { PrinterProfile } from '../../src/driver-api/index.js';

/** Line widths the receipt encoder lays text out in (font A). */
const ENCODER_COLUMNS = [32, 35, 42, 44, 48] as const;

/** Characters per line in font A: the profile's, as the encoder can lay it out (the nearest width not wider). */
export function receiptColumns(profile: PrinterProfile): number {
  const fitting = ENCODER_COLUMNS.filter((columns) => columns <= profile.columns);
  return fitting[fitting.length - 1] ?? ENCODER_COLUMNS[0];
}

/** Characters per line in font B (9 dots wide where font A is 12). */
export function receiptFontBColumns(profile: PrinterProfile): number {
  return Math.floor((receiptColumns(profile) * 56) / 42);
}
