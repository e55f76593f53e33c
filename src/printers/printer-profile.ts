import type { PrinterProfile } from '../driver-api/index.js';
import type { PrinterConfig } from '../config/schema.js';

/** Looks a profile up by id (drivers/profiles provides the data; main wires it in). */
export type ProfileLookup = (id: string) => PrinterProfile | undefined;

/** Generic receipt printer: 80 mm paper, 72 mm printable at 8 dots/mm (576 dots), 48 columns in font A. */
export const GENERIC_RECEIPT: PrinterProfile = Object.freeze({
  id: 'generic-80mm',
  paperWidthMM: 80,
  printableWidthMM: 72,
  dotsPerMM: 8,
  columns: 48,
  cutter: 'partial',
  drawer: true,
  buzzer: false,
});

/** Generic label printer: 4-inch at 203 dpi, 50 columns of ZPL font 0 (as drivers/profiles' zebra-203dpi). */
export const GENERIC_LABEL: PrinterProfile = Object.freeze({
  id: 'generic-zpl-203dpi',
  paperWidthMM: 104,
  printableWidthMM: 104,
  dotsPerMM: 8,
  columns: 50,
  fontBColumns: 72,
  cutter: 'none',
  drawer: false,
  buzzer: false,
});

function baseProfile(language: string): PrinterProfile {
  return language === 'zpl' ? GENERIC_LABEL : GENERIC_RECEIPT;
}

/** The profile a configured printer prints with: named profile (or the generic one), then overrides. */
export function resolveProfile(printer: PrinterConfig, lookup: ProfileLookup): PrinterProfile {
  const named = printer.profile === undefined ? undefined : lookup(printer.profile);
  const base = named ?? baseProfile(printer.language);
  const paperWidthMM = printer.paperWidthMM ?? base.paperWidthMM;
  const printableWidthMM = printer.printableWidthMM ?? (printer.paperWidthMM === undefined ? base.printableWidthMM : Math.max(paperWidthMM - 8, 10));
  const dotsPerMM = printer.dotsPerMM ?? base.dotsPerMM;
  // Font A is 12 dots wide on ESC/POS and Star receipt printers.
  const columns = printableWidthMM === base.printableWidthMM && dotsPerMM === base.dotsPerMM
    ? base.columns
    : Math.floor((printableWidthMM * dotsPerMM) / 12);
  return Object.freeze({
    ...base,
    paperWidthMM,
    printableWidthMM,
    dotsPerMM,
    columns,
    ...(printer.dither === undefined ? {} : { dither: printer.dither }),
    ...(printer.ditherThreshold === undefined ? {} : { ditherThreshold: printer.ditherThreshold }),
  });
}
