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
}

export interface RenderInput {
  /** The document as received (already fully spooled). */
  body: Uint8Array;
  /** Media type without parameters, lower case: text/plain, application/octet-stream, ... */
  contentType: string;
  profile: PrinterProfile;
  options: RenderOptions;
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
  /** Renders one copy's worth of options into bytes; copies are the renderer's concern. */
  render(input: RenderInput): Promise<RenderResult>;
  /** Draws one copy from the same rendering path; absent if the language cannot. Rejects with a DriverError. */
  preview?(input: RenderInput): Promise<PreviewResult>;
  /** How to ask the printer for its status on the back-channel; absent if the language cannot. */
  readonly statusQuery?: StatusQuery;
}
