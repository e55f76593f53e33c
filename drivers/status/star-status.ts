import type { StatusQuery, StatusReading } from '../../src/driver-api/index.js';

/**
 * Star Automatic Status (ASB), asked for with `ESC ACK SOH` (1B 06 01, "real-time printer status",
 * answered at once in both StarPRNT and Star Line mode). Layout per Star's "STAR Line Mode Command
 * Specifications", Appendix "Automatic status" (and the TSP700 manual's Line Mode status pages):
 *
 * - byte 1, header 1: bit 0 always 1; bits 4, 6, 7 always 0; the status length in bytes (header
 *   included) is bits 5,3,2,1 read as a 4-bit number (0x0F → 7 bytes, 0x21 → 8, 0x23 → 9)
 * - byte 2, header 2: version
 * - byte 3, printer status: bit 6 offline by switch input; bit 5 cover open; bit 3 offline; bit 2 compulsion switch closed
 * - byte 4, error information: bit 6 stopped by high head temperature; bit 5 unrecoverable error;
 *   bit 3 auto-cutter error; bit 2 mechanical error
 * - byte 5, error information: bit 6 receive buffer overflow; bit 3 black mark error; bit 2 presenter paper jam; bit 1 head up
 * - byte 6, sensor information: bit 3 paper end; bit 2 near end (inner); bit 1 near end (outer)
 */
const ESC = 0x1b;
const ACK = 0x06;
const SOH = 0x01;
/** The shortest ASB that holds the sensor byte (byte 6). */
const MIN_LENGTH = 6;

const bit = (byte: number, n: number): boolean => (byte & (1 << n)) !== 0;

/** The length an ASB header announces, or null if `header` is not an ASB header 1. */
export function asbLength(header: number): number | null {
  if ((header & 0xd1) !== 0x01) return null;
  return ((header >> 2) & 0x08) | ((header >> 1) & 0x07);
}

export function parseStarStatus(reply: Uint8Array): StatusReading {
  if (reply.length === 0) return { complete: false, reasons: [] };
  const length = asbLength(reply[0]!);
  if (length === null || length < MIN_LENGTH) return { complete: true, reasons: [], unrecognised: true };
  if (reply.length < length) return { complete: false, reasons: [] };
  const [printer, error, error2, sensor] = [reply[2]!, reply[3]!, reply[4]!, reply[5]!];
  const reasons = new Set<string>();
  if (bit(printer, 5) || bit(error2, 1)) reasons.add('cover-open');
  if (bit(sensor, 3)) reasons.add('media-empty');
  else if (bit(sensor, 2) || bit(sensor, 1)) reasons.add('media-low');
  if (bit(error, 3)) reasons.add('cutter-error');
  if (bit(error, 2) || bit(error, 5)) reasons.add('mechanical-error');
  if (bit(error, 6)) reasons.add('over-temperature');
  if (bit(error2, 2)) reasons.add('media-jam');
  if (bit(error2, 3)) reasons.add('black-mark-error');
  if (bit(error2, 6)) reasons.add('receive-buffer-overflow');
  if (bit(printer, 2)) reasons.add('compulsion-switch');
  const explained = [...reasons].some((reason) => !['media-low', 'compulsion-switch', 'receive-buffer-overflow'].includes(reason));
  if ((bit(printer, 3) || bit(printer, 6)) && !explained) reasons.add('offline');
  return { complete: true, reasons: [...reasons] };
}

export const starStatusQuery: StatusQuery = {
  name: 'star-asb',
  request: Uint8Array.from([ESC, ACK, SOH]),
  parse: parseStarStatus,
};
