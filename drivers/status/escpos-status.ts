import type { StatusQuery, StatusReading } from '../../src/driver-api/index.js';

/**
 * ESC/POS real-time status, `DLE EOT n` (10 04 n): the printer answers each with one byte, at once,
 * even while offline. Layout per Epson's ESC/POS command reference ("DLE EOT: transmit real-time
 * status"), as also decoded by the `escpos` npm package (statuses.js) and the hardless_http_dialects
 * crate (PrinterStatus::from_dle_eot). Every reply byte has bits 1 and 4 set and bits 0 and 7 clear.
 *
 * - n=1 printer:      bit 3 offline; bit 5 waiting for online recovery; bit 2 drawer pin 3
 * - n=2 offline cause: bit 2 cover open; bit 3 paper fed by the feed button; bit 5 stopped by paper end; bit 6 error
 * - n=3 error cause:   bit 2 recoverable (mechanical) error; bit 3 auto-cutter error; bit 5 unrecoverable error;
 *                      bit 6 auto-recoverable error (head temperature)
 * - n=4 paper sensor:  bits 2+3 roll near its end; bits 5+6 paper end (no paper)
 */
const DLE = 0x10;
const EOT = 0x04;
const ASKED = [1, 2, 3, 4] as const;
const FIXED_MASK = 0x93;
const FIXED_BITS = 0x12;

const bit = (byte: number, n: number): boolean => (byte & (1 << n)) !== 0;

export function parseEscposStatus(reply: Uint8Array): StatusReading {
  if (reply.length < ASKED.length) return { complete: false, reasons: [] };
  const [printer, offline, error, paper] = [reply[0]!, reply[1]!, reply[2]!, reply[3]!];
  if ([printer, offline, error, paper].some((byte) => (byte & FIXED_MASK) !== FIXED_BITS)) {
    return { complete: true, reasons: [], unrecognised: true };
  }
  const reasons = new Set<string>();
  if (bit(offline, 2)) reasons.add('cover-open');
  if (bit(offline, 5) || bit(paper, 5) || bit(paper, 6)) reasons.add('media-empty');
  else if (bit(paper, 2) || bit(paper, 3)) reasons.add('media-low');
  if (bit(error, 3)) reasons.add('cutter-error');
  if (bit(error, 2) || bit(error, 5)) reasons.add('mechanical-error');
  if (bit(error, 6)) reasons.add('over-temperature');
  // Offline for no reason reported above (feed button held, error without a cause byte): still offline.
  const explained = [...reasons].some((reason) => reason !== 'media-low');
  if ((bit(printer, 3) || bit(printer, 5) || bit(offline, 6)) && !explained) reasons.add('offline');
  return { complete: true, reasons: [...reasons] };
}

export const escposStatusQuery: StatusQuery = {
  name: 'escpos-dle-eot',
  request: Uint8Array.from(ASKED.flatMap((n) => [DLE, EOT, n])),
  parse: parseEscposStatus,
};
