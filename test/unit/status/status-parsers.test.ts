import { describe, expect, it } from 'vitest';
import { escposStatusQuery, parseEscposStatus } from '../../../drivers/status/escpos-status.js';
import { asbLength, parseStarStatus, starStatusQuery } from '../../../drivers/status/star-status.js';
import { parseZplStatus, zplStatusQuery } from '../../../drivers/status/zpl-status.js';
import { blockingReasons } from '../../../src/driver-api/index.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('ESC/POS DLE EOT', () => {
  it('asks DLE EOT 1, 2, 3 and 4', () => {
    expect(Buffer.from(escposStatusQuery.request).toString('hex')).toBe('100401100402100403100404');
  });

  it('needs four reply bytes', () => {
    expect(parseEscposStatus(bytes(0x12, 0x12, 0x12))).toEqual({ complete: false, reasons: [] });
  });

  it('reads a healthy printer (drawer pin high is not a problem)', () => {
    expect(parseEscposStatus(bytes(0x16, 0x12, 0x12, 0x12))).toEqual({ complete: true, reasons: [] });
  });

  it('reads paper out: offline, stopped by paper end, near end and end sensors', () => {
    const reading = parseEscposStatus(bytes(0x1a, 0x32, 0x12, 0x7e));
    expect(reading.reasons).toEqual(['media-empty']);
    expect(blockingReasons(reading.reasons)).toEqual(['media-empty']);
  });

  it('reads paper near its end as a warning that does not stop the printer', () => {
    const reading = parseEscposStatus(bytes(0x12, 0x12, 0x12, 0x1e));
    expect(reading.reasons).toEqual(['media-low']);
    expect(blockingReasons(reading.reasons)).toEqual([]);
  });

  it('reads the cover open', () => {
    expect(parseEscposStatus(bytes(0x1a, 0x16, 0x12, 0x12)).reasons).toEqual(['cover-open']);
  });

  it('reads a cutter error and an unrecoverable error', () => {
    expect(parseEscposStatus(bytes(0x1a, 0x52, 0x1a, 0x12)).reasons).toEqual(['cutter-error']);
    expect(parseEscposStatus(bytes(0x1a, 0x52, 0x32, 0x12)).reasons).toEqual(['mechanical-error']);
  });

  it('reports offline when the printer says so without a cause', () => {
    expect(parseEscposStatus(bytes(0x1a, 0x1a, 0x12, 0x12)).reasons).toEqual(['offline']);
  });

  it('refuses bytes whose fixed bits are wrong (not an ESC/POS status)', () => {
    expect(parseEscposStatus(Buffer.from('OK\r\n'))).toMatchObject({ complete: true, unrecognised: true });
  });
});

describe('Star ASB (ESC ACK SOH)', () => {
  const asb = (length: number, status: Partial<Record<3 | 4 | 5 | 6, number>>): Uint8Array => {
    const header = length === 9 ? 0x23 : length === 7 ? 0x0f : 0x21;
    const out = [header, 0x86, 0, 0, 0, 0, 0, 0, 0].slice(0, length);
    for (const [index, value] of Object.entries(status)) out[Number(index) - 1] = value!;
    return Uint8Array.from(out);
  };

  it('asks with ESC ACK SOH', () => {
    expect(Buffer.from(starStatusQuery.request).toString('hex')).toBe('1b0601');
  });

  it('reads the length from header 1: bits 5,3,2,1', () => {
    expect(asbLength(0x0f)).toBe(7);
    expect(asbLength(0x21)).toBe(8);
    expect(asbLength(0x23)).toBe(9);
    expect(asbLength(0x41)).toBeNull();
    expect(asbLength(0x22)).toBeNull();
  });

  it('waits for the whole status the header announces', () => {
    expect(parseStarStatus(asb(9, {}).subarray(0, 5))).toEqual({ complete: false, reasons: [] });
    expect(parseStarStatus(asb(9, {}))).toEqual({ complete: true, reasons: [] });
    expect(parseStarStatus(asb(7, {}))).toEqual({ complete: true, reasons: [] });
  });

  it('reads paper end, near end, cover open, cutter error, jam, drawer', () => {
    expect(parseStarStatus(asb(9, { 3: 0x08, 6: 0x0c })).reasons).toEqual(['media-empty']);
    expect(parseStarStatus(asb(9, { 6: 0x04 })).reasons).toEqual(['media-low']);
    expect(parseStarStatus(asb(9, { 3: 0x28 })).reasons).toEqual(['cover-open']);
    expect(parseStarStatus(asb(9, { 3: 0x08, 4: 0x08 })).reasons).toEqual(['cutter-error']);
    expect(parseStarStatus(asb(9, { 3: 0x08, 5: 0x04 })).reasons).toEqual(['media-jam']);
    expect(parseStarStatus(asb(9, { 3: 0x04 })).reasons).toEqual(['compulsion-switch']);
    expect(parseStarStatus(asb(9, { 3: 0x08 })).reasons).toEqual(['offline']);
  });

  it('refuses a first byte that is no ASB header', () => {
    expect(parseStarStatus(bytes(0x12, 0x12, 0x12))).toMatchObject({ complete: true, unrecognised: true });
  });
});

describe('ZPL ~HS', () => {
  const hs = (paperOut: string, pause: string, headUp: string, ribbonOut: string, overTemp = '0'): Buffer =>
    Buffer.from(
      `\x02030,${paperOut},${pause},1245,000,0,0,0,000,0,0,${overTemp}\x03\r\n` +
        `\x02001,0,${headUp},${ribbonOut},0,2,6,0,00000000,1,000\x03\r\n` +
        `\x021234,0\x03\r\n`,
      'latin1',
    );

  it('asks with ~HS', () => {
    expect(Buffer.from(zplStatusQuery.request).toString('latin1')).toBe('~HS');
  });

  it('waits for all three strings', () => {
    const whole = hs('0', '0', '0', '0');
    expect(parseZplStatus(whole.subarray(0, whole.length - 12))).toEqual({ complete: false, reasons: [] });
    expect(parseZplStatus(whole)).toEqual({ complete: true, reasons: [] });
  });

  it('reads paper out, pause, head open, ribbon out, head too hot', () => {
    expect(parseZplStatus(hs('1', '0', '0', '0')).reasons).toEqual(['media-empty']);
    expect(parseZplStatus(hs('0', '1', '0', '0')).reasons).toEqual(['paused']);
    expect(parseZplStatus(hs('0', '0', '1', '0')).reasons).toEqual(['cover-open']);
    expect(parseZplStatus(hs('0', '0', '0', '1')).reasons).toEqual(['marker-supply-empty']);
    expect(parseZplStatus(hs('0', '0', '0', '0', '1')).reasons).toEqual(['over-temperature']);
    expect(blockingReasons(parseZplStatus(hs('1', '1', '0', '0')).reasons)).toEqual(['media-empty', 'paused']);
  });

  it('refuses a reply that does not start with STX', () => {
    expect(parseZplStatus(Buffer.from('garbage'))).toMatchObject({ complete: true, unrecognised: true });
  });
});
