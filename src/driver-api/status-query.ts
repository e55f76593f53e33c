/** What one status reply says, read so far. */
export interface StatusReading {
  /** False while the reply needs more bytes. */
  complete: boolean;
  /** Printer state reasons (IPP vocabulary: media-empty, cover-open, ...); empty = healthy. */
  reasons: string[];
  /** Set when the bytes are not a status reply of this language at all: treated as no answer. */
  unrecognised?: boolean;
}

/**
 * How a printer language asks for the printer's status on the back-channel: real-time commands
 * the printer answers at once, even while it is offline (ESC/POS DLE EOT, Star ESC ACK SOH, ZPL ~HS).
 */
export interface StatusQuery {
  /** For logs: escpos-dle-eot, star-asb, zpl-hs. */
  readonly name: string;
  /** The bytes that ask. They never print. */
  readonly request: Uint8Array;
  /** Reads the bytes received so far. */
  parse(reply: Uint8Array): StatusReading;
}

/**
 * Reasons a printer reports that do not stop it printing (IPP "-warning"/"-report" in spirit):
 * a printer with only these is healthy. Every other reason stops the printer until it clears.
 */
export const WARNING_REASONS: readonly string[] = ['media-low', 'compulsion-switch', 'drawer-open', 'receive-buffer-overflow', 'under-temperature'];

/** The reasons in `reasons` that stop the printer. */
export function blockingReasons(reasons: readonly string[]): string[] {
  return reasons.filter((reason) => !WARNING_REASONS.includes(reason));
}
