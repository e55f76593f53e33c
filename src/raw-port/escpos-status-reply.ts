import type { PrinterStatus } from '../printers/printer-registry.js';

/** ESC/POS real-time status requests: DLE EOT n (10 04 n), n = 1 printer, 2 offline cause, 3 error cause, 4 paper roll. */
export const DLE = 0x10;
export const EOT = 0x04;

/** Bits 1 and 4 are always set in a DLE EOT answer (Epson ESC/POS reference). */
const FIXED = 0x12;

/**
 * The byte an ESC/POS printer would answer to DLE EOT n, told from the printer's live status
 * (what printgate's own status queries and deliveries last learned): offline when it is
 * unreachable or stopped by an error, cover open, paper near its end or out, cutter and
 * mechanical errors. Null for an n the command does not define.
 */
export function dleEotReply(n: number, status: Pick<PrinterStatus, 'state' | 'reasons'>): number | null {
  const has = (reason: string): boolean => status.reasons.includes(reason);
  const empty = has('media-empty');
  const error = has('cutter-error') || has('mechanical-error') || has('over-temperature');
  switch (n) {
    case 1:
      return FIXED | (has('offline') || empty || has('cover-open') || error ? 0x08 : 0);
    case 2:
      return FIXED | (has('cover-open') ? 0x04 : 0) | (empty ? 0x20 : 0) | (error ? 0x40 : 0);
    case 3:
      return FIXED | (has('cutter-error') ? 0x08 : 0) | (has('mechanical-error') ? 0x20 : 0) | (has('over-temperature') ? 0x40 : 0);
    case 4:
      return FIXED | (has('media-low') || empty ? 0x0c : 0) | (empty ? 0x60 : 0);
    default:
      return null;
  }
}

/** Finds the DLE EOT requests in a stream of chunks (a request split across two chunks is found too). */
export class DleEotScanner {
  private tail = Buffer.alloc(0);

  /** The n of every complete DLE EOT n in this chunk, in order. */
  scan(chunk: Buffer): number[] {
    const bytes = this.tail.length > 0 ? Buffer.concat([this.tail, chunk]) : chunk;
    const found: number[] = [];
    let next = 0;
    for (let i = bytes.indexOf(DLE); i >= 0 && i + 2 < bytes.length; i = bytes.indexOf(DLE, i + 1)) {
      const n = bytes[i + 2]!;
      if (bytes[i + 1] === EOT && n >= 1 && n <= 4) {
        found.push(n);
        i += 2;
        next = i + 1;
      }
    }
    // Keep the last two bytes unless they were part of a request: a DLE EOT may continue in the next chunk.
    const keepFrom = Math.max(next, bytes.length - 2);
    this.tail = Buffer.from(bytes.subarray(keepFrom));
    return found;
  }
}

/** True when the bytes hold nothing but status requests (a POS polling the printer): no job to print. */
export function onlyStatusRequests(bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; ) {
    if (bytes[i] === DLE && bytes[i + 1] === EOT && i + 2 < bytes.length) {
      i += 3;
      continue;
    }
    return false;
  }
  return true;
}
