import { describe, expect, it } from 'vitest';
import { DleEotScanner, dleEotReply, onlyStatusRequests } from '../../../src/raw-port/escpos-status-reply.js';

describe('ESC/POS DLE EOT answered from the live status', () => {
  it('answers each n from the printer reasons (Epson bit layout, bits 1 and 4 always set)', () => {
    const ready = { state: 'idle' as const, reasons: [] };
    expect([1, 2, 3, 4].map((n) => dleEotReply(n, ready))).toEqual([0x12, 0x12, 0x12, 0x12]);
    const out = { state: 'stopped' as const, reasons: ['media-empty'] };
    expect(dleEotReply(1, out)).toBe(0x1a);
    expect(dleEotReply(2, out)).toBe(0x32);
    expect(dleEotReply(4, out)).toBe(0x7e);
    expect(dleEotReply(2, { state: 'stopped', reasons: ['cover-open'] })).toBe(0x16);
    expect(dleEotReply(1, { state: 'stopped', reasons: ['offline'] })).toBe(0x1a);
    expect(dleEotReply(4, { state: 'idle', reasons: ['media-low'] })).toBe(0x1e);
    expect(dleEotReply(5, ready)).toBeNull();
  });

  it('finds requests split across chunks, once each', () => {
    const scanner = new DleEotScanner();
    expect(scanner.scan(Buffer.from([0x1b, 0x40, 0x10]))).toEqual([]);
    expect(scanner.scan(Buffer.from([0x04, 0x01, 0x41, 0x10, 0x04]))).toEqual([1]);
    expect(scanner.scan(Buffer.from([0x04, 0x10, 0x04, 0x02]))).toEqual([4, 2]);
    expect(scanner.scan(Buffer.from('hello'))).toEqual([]);
  });

  it('a connection that only asked for status is no job', () => {
    expect(onlyStatusRequests(Buffer.from([0x10, 0x04, 0x01, 0x10, 0x04, 0x04]))).toBe(true);
    expect(onlyStatusRequests(Buffer.from([0x10, 0x04, 0x01, 0x41]))).toBe(false);
  });
});
