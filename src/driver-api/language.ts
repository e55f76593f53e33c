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
}

export interface Language {
  readonly name: string;
  /** Media types this language can render (raw pass-through types included). */
  readonly acceptedTypes: readonly string[];
  /** Renders one copy's worth of options into bytes; copies are the renderer's concern. */
  render(input: RenderInput): Promise<RenderResult>;
}
