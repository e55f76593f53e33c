import type { Printer, PrinterStatus } from '../printers/printer-registry.js';
import { identifyBytes } from './identify-job.js';
import { describeMedia, type MediaDescription, type PaperKind } from './ipp-media.js';

/** The document formats IPP clients send, in the order document-format-supported lists them. */
export const IPP_FORMATS = ['application/pdf', 'image/pwg-raster', 'image/urf', 'image/jpeg', 'image/png', 'text/plain'] as const;

/** What the IPP server knows of one printer to describe it: the printer, its live status, its language's types. */
export interface IppPrinterView {
  printer: Printer;
  status: PrinterStatus;
  displayName: string;
  /** The printer language's accepted types (raw pass-through included) and its own vendor type. */
  acceptedTypes: readonly string[];
  vendorType: string;
  queuedJobs: number;
}

/** What every attribute of a printer derives from, computed once per request. */
export interface IppPrinterFacts {
  kind: PaperKind;
  media: MediaDescription;
  /** Whole dots per inch as the trade names them (203, 300, 600). */
  dpi: number;
  formats: string[];
  makeAndModel: string;
  canIdentify: boolean;
}

const LABEL_LANGUAGES = new Set(['zpl']);
const DOCUMENT_LANGUAGES = new Set(['pdf', 'raw']);

export function paperKind(language: string): PaperKind {
  if (LABEL_LANGUAGES.has(language)) return 'label';
  if (DOCUMENT_LANGUAGES.has(language)) return 'document';
  return 'receipt';
}

/** 8 dots/mm is 203.2 dpi and sold as 203; 12 dots/mm (304.8) as 300; 24 as 600. */
export function tradeDpi(dotsPerMM: number): number {
  const dpi = dotsPerMM * 25.4;
  for (const named of [300, 600]) if (Math.abs(dpi - named) <= named * 0.02) return named;
  return Math.round(dpi);
}

/** The printer's document formats: the IPP ones its language takes, its own raw type, and auto-sensing. */
export function documentFormats(view: Pick<IppPrinterView, 'acceptedTypes' | 'vendorType'>): string[] {
  const formats: string[] = IPP_FORMATS.filter((format) => view.acceptedTypes.includes(format));
  if (view.acceptedTypes.includes(view.vendorType) && !formats.includes(view.vendorType)) formats.push(view.vendorType);
  formats.push('application/octet-stream');
  return formats;
}

export function printerFacts(view: IppPrinterView, maxLengthMM: number): IppPrinterFacts {
  const { printer } = view;
  const kind = paperKind(printer.language);
  const profile = printer.profile;
  const receiptLike = kind === 'receipt';
  return {
    kind,
    media: describeMedia(kind, profile, maxLengthMM),
    dpi: kind === 'document' ? 300 : tradeDpi(profile.dotsPerMM),
    formats: documentFormats(view),
    makeAndModel: (profile.name ?? `${printer.language.toUpperCase()} ${receiptLike ? 'receipt' : kind} printer`).slice(0, 127),
    // A beep is the only way these devices can show themselves: the profile says whether they have a buzzer.
    canIdentify: receiptLike && profile.buzzer && identifyBytes(printer.language) !== null,
  };
}
