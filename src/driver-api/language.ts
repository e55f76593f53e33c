import type { StatusQuery } from './status-query.js';

/** A printer family as data: width, resolution, code pages, features. */
export interface PrinterProfile {
  id: string;
  paperWidthMM: number;
  printableWidthMM: number;
  dotsPerMM: number;
  /** Characters per line in the default font. */
  columns: number;
  cutter: 'full' | 'partial' | 'none';
  drawer: boolean;
  buzzer: boolean;
  // Optional detail, filled by drivers/profiles; renderers fall back to sensible defaults.
  /** Display name: "Epson TM-T88VI". */
  name?: string;
  /** The language the family speaks (escpos, starprnt, starline, zpl, pdf). */
  language?: string;
  /** Code page table of the encoder ('epson', 'star', ...); decides which pages text may use. */
  codepageMapping?: string;
  /** Code pages text may use, most preferred first (encoder names: cp437, cp858, cp866, epson/katakana, ...). */
  codepages?: readonly string[];
  /** Characters per line in font B. */
  fontBColumns?: number;
  /** Dithering for photos and PDFs; bilevel art is the same with every algorithm. */
  dither?: 'floyd-steinberg' | 'atkinson' | 'threshold';
  /** 0-255; lighter pixels are white (threshold dithering, and the bias of the others). */
  ditherThreshold?: number;
  /**
   * Which status protocol the family answers (ESC/POS DLE EOT, Star ASB, ZPL ~HS, IPP), or `none`
   * when it never does. The language says how to ask; printers[].statusQuery says whether to.
   */
  statusProtocol?: 'escpos-dle-eot' | 'star-asb' | 'zpl-hs' | 'ipp' | 'none';
  /** Identifiers discovery matches on. */
  match?: { usb?: readonly string[]; ieee1284?: readonly string[]; mdns?: readonly string[] };
}

export interface RenderOptions {
  copies: number;
  preBuzzer: number;
  postBuzzer: number;
  drawer: 'none' | 'start' | 'end';
  /**
   * How images and PDF pages are sized. Absent: at the printer's resolution, one pixel one dot
   * (a wider one scaled down); `width`: scaled, up or down, to the printable width.
   */
  fit?: 'width';
}

/**
 * What one render (or preview) of one document may cost. A renderer that would go past a limit
 * throws DOCUMENT_TOO_COMPLEX (details: budget, limit, actual) before it allocates the pixels.
 */
export interface RenderBudget {
  /** Pixels decoded and drawn for the whole document (every image, PDF page and label together). */
  maxPixels: number;
  /** Pages a PDF may have when it is rasterised. */
  maxPages: number;
  /** Bytes the rendered output of the job may take (raw pass-through is the document itself). */
  maxOutputBytes: number;
  /** Tallest image, PDF page or label, in dots of the printer. */
  maxPageHeightDots: number;
}

/** Budget limits as configured (`limits.render`): the page height in millimetres of paper. */
export interface RenderLimits {
  maxPixels: number;
  maxPages: number;
  maxOutputBytes: number;
  maxPageHeightMM: number;
}

/** The defaults of `limits.render` (src/config/schema.ts holds the same numbers). */
export const DEFAULT_RENDER_LIMITS: Readonly<RenderLimits> = Object.freeze({
  maxPixels: 30_000_000,
  maxPages: 50,
  maxOutputBytes: 64 * 1024 * 1024,
  maxPageHeightMM: 2000,
});

/** The budget of one render on a printer of `profile`: the page height turned into its dots. */
export function renderBudget(limits: RenderLimits, profile: Pick<PrinterProfile, 'dotsPerMM'>): RenderBudget {
  return {
    maxPixels: limits.maxPixels,
    maxPages: limits.maxPages,
    maxOutputBytes: limits.maxOutputBytes,
    maxPageHeightDots: Math.max(1, Math.floor(limits.maxPageHeightMM * profile.dotsPerMM)),
  };
}

export interface RenderInput {
  /** The document as received (already fully spooled). */
  body: Uint8Array;
  /** Media type without parameters, lower case: text/plain, application/octet-stream, ... */
  contentType: string;
  /**
   * The `charset=` of the Content-Type, canonical (canonicalCharset): how text documents are
   * decoded. Absent: UTF-8 (UTF-16 with a byte-order mark).
   */
  charset?: string;
  profile: PrinterProfile;
  options: RenderOptions;
  /** Absent: the defaults (DEFAULT_RENDER_LIMITS at the profile's resolution). */
  budget?: RenderBudget;
}

export interface RenderResult {
  bytes: Uint8Array;
  /** Media type of `bytes`, for transports that declare it (IPP document-format). */
  documentFormat: string;
  /** Things the renderer skipped or could not honour, shown on the job. */
  warnings: string[];
  /**
   * Set when `bytes` hold ONE copy and the device must be asked for this many (IPP `copies`), because
   * the format cannot be repeated by concatenation (PDF). Absent: `bytes` already hold every copy.
   */
  copies?: number;
}

/** One copy of a job drawn as the printer prints it (GET /api/v1/jobs/{id}/preview.png). */
export interface PreviewResult {
  /** PNG as wide as the printable width in dots. */
  png: Uint8Array;
  width: number;
  height: number;
  /** What the preview could not show as printed (placeholders, missing glyphs). */
  warnings: string[];
}

export interface Language {
  readonly name: string;
  /**
   * The media type of what the language sends to the printer (IPP document-format, Star's
   * RequestedMediaType): application/vnd.escpos, application/vnd.zebra.zpl, application/pdf, ...
   */
  readonly documentFormat: string;
  /** Media types this language can render (raw pass-through types included). */
  readonly acceptedTypes: readonly string[];
  /**
   * Media types whose bytes go to the printer as they came (repeated for copies): nothing to
   * render, so the gateway does this on its own thread instead of the render pool.
   */
  readonly passThrough?: readonly string[];
  /** Renders one copy's worth of options into bytes; copies are the renderer's concern. */
  render(input: RenderInput): Promise<RenderResult>;
  /**
   * Refuses, cheaply and without rendering, what the document's headers already show it cannot
   * print (not a PNG, an image or PDF over the budget): throws the DriverError `render` would.
   * Passing is no promise that `render` succeeds. Absent: nothing to check before rendering.
   */
  check?(input: RenderInput): void;
  /** Draws one copy from the same rendering path; absent if the language cannot. Rejects with a DriverError. */
  preview?(input: RenderInput): Promise<PreviewResult>;
  /** How to ask the printer for its status on the back-channel; absent if the language cannot. */
  readonly statusQuery?: StatusQuery;
}
