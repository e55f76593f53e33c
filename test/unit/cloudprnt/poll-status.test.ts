import { describe, expect, it } from 'vitest';
import { asbBytes, decodeStatusCode, pollReasons } from '../../../src/cloudprnt/poll-status.js';
import { starStatus } from '../../../src/webhooks/star-status.js';

describe('CloudPRNT poll status', () => {
  it('decodes the URL-encoded statusCode, tolerating garbage', () => {
    expect(decodeStatusCode('200%20OK')).toBe('200 OK');
    expect(decodeStatusCode('410+Out+of+paper')).toBe('410 Out of paper');
    expect(decodeStatusCode('%E0%A4%A')).toBe('%E0%A4%A');
    expect(decodeStatusCode(undefined)).toBe('');
    expect(decodeStatusCode(42)).toBe('');
  });

  it('reads ASB hex with or without separators, and nothing from malformed input', () => {
    expect(asbBytes('23 86 00 00 00 00 00 00 00')).toHaveLength(9);
    expect(asbBytes('238620')).toEqual([0x23, 0x86, 0x20]);
    expect(asbBytes('23 8')).toEqual([]);
    expect(asbBytes('not hex!')).toEqual([]);
    expect(asbBytes(null)).toEqual([]);
  });

  it('maps status codes to reasons', () => {
    expect(pollReasons('200%20OK', undefined)).toEqual([]);
    expect(pollReasons('211%20Paper%20low', undefined)).toEqual(['media-low']);
    expect(pollReasons('410%20Out%20of%20paper', undefined)).toEqual(['media-empty']);
    expect(pollReasons('411 Paper jam', undefined)).toEqual(['media-jam']);
    expect(pollReasons('420 Cover open', undefined)).toEqual(['cover-open']);
  });

  it('maps each ASB bit to the reason behind its Star status flag', () => {
    const asb = (b3: number, b4: number, b5: number, b6: number): string =>
      ['23', '86', b3, b4, b5, b6, 0, 0, 0].map((b) => (typeof b === 'number' ? b.toString(16).padStart(2, '0') : b)).join(' ');
    const flags = (status: string) => starStatus({ state: 'idle', reasons: pollReasons('200 OK', status), lastSeenAt: null, lastError: null });
    expect(flags(asb(0, 0, 0, 0))).toEqual({
      Online: true, CoverOpen: false, CompulsionSwitch: false, OverTemperature: false, Recoverable: true, CutterError: false, MechanicalError: false,
      ReceiveBufferOverflow: false, BlackMarkError: false, PresenterPaperJam: false, VoltageError: false, PaperEmpty: false, PaperLow: false,
    });
    expect(flags(asb(0x20, 0, 0, 0)).CoverOpen).toBe(true);
    expect(flags(asb(0x04, 0, 0, 0)).CompulsionSwitch).toBe(true);
    expect(flags(asb(0, 0x04, 0, 0))).toMatchObject({ MechanicalError: true, Recoverable: false });
    expect(flags(asb(0, 0x08, 0, 0))).toMatchObject({ CutterError: true, Recoverable: false });
    expect(flags(asb(0, 0x40, 0, 0)).OverTemperature).toBe(true);
    expect(flags(asb(0, 0, 0x04, 0)).PresenterPaperJam).toBe(true);
    expect(flags(asb(0, 0, 0x08, 0)).BlackMarkError).toBe(true);
    expect(flags(asb(0, 0, 0x40, 0)).ReceiveBufferOverflow).toBe(true);
    expect(flags(asb(0, 0, 0, 0x04))).toMatchObject({ PaperLow: true, PaperEmpty: false });
    expect(flags(asb(0, 0, 0, 0x0c))).toMatchObject({ PaperLow: false, PaperEmpty: true });
  });
});
