import { describe, expect, it } from 'vitest';
import { encodeQr, formatBits, gfMultiply, reedSolomon, type QrLevel } from '../../../drivers/render/preview-qr.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

function module(symbol: { size: number; modules: Uint8Array }, x: number, y: number): number {
  return symbol.modules[y * symbol.size + x]!;
}

/** The 7×7 finder with its top left at x, y: dark ring, light ring, dark 3×3 centre. */
function isFinder(symbol: { size: number; modules: Uint8Array }, x: number, y: number): boolean {
  for (let dy = 0; dy < 7; dy++) {
    for (let dx = 0; dx < 7; dx++) {
      const ring = Math.max(Math.abs(dx - 3), Math.abs(dy - 3));
      if (module(symbol, x + dx, y + dy) !== (ring === 2 ? 0 : 1)) return false;
    }
  }
  return true;
}

describe('QR encoder of the preview', () => {
  it('picks the smallest version holding the bytes (byte-mode capacities of ISO/IEC 18004)', () => {
    // Version 1 holds 17/14/11/7 bytes at L/M/Q/H, version 2 32/26/20/14, version 3 53/42/32/24.
    const cases: [number, QrLevel, number][] = [[17, 'l', 1], [18, 'l', 2], [14, 'm', 1], [15, 'm', 2], [24, 'h', 3], [25, 'h', 4], [42, 'm', 3]];
    for (const [length, level, version] of cases) {
      const symbol = encodeQr(bytes('a'.repeat(length)), level)!;
      expect(symbol.version, `${length} bytes at ${level}`).toBe(version);
      expect(symbol.size).toBe(17 + 4 * version);
    }
    expect(encodeQr(bytes('a'.repeat(2953)), 'l')!.version).toBe(40);
    expect(encodeQr(bytes('a'.repeat(2954)), 'l')).toBeUndefined();
  });

  it('computes Reed-Solomon codewords: every codeword polynomial vanishes at α^0 … α^(n-1)', () => {
    const data = Uint8Array.from(bytes('printgate preview'));
    for (const degree of [7, 10, 17, 30]) {
      const codeword = [...data, ...reedSolomon(data, degree)];
      let root = 1;
      for (let i = 0; i < degree; i++) {
        let value = 0;
        for (const c of codeword) value = gfMultiply(value, root) ^ c;
        expect(value, `degree ${degree}, root α^${i}`).toBe(0);
        root = gfMultiply(root, 2);
      }
    }
  });

  it('format bits match the published table (L0, M0, H1, H7)', () => {
    expect(formatBits('l', 0)).toBe(0b111011111000100);
    expect(formatBits('m', 0)).toBe(0b101010000010010);
    expect(formatBits('h', 1)).toBe(0b001001110111110);
    expect(formatBits('h', 7)).toBe(0b000100000111011);
  });

  it('draws finders, timing patterns, the dark module and both copies of the format bits', () => {
    for (const [text, level] of [['https://example.com/r/42', 'm'], ['x'.repeat(200), 'q']] as const) {
      const symbol = encodeQr(bytes(text), level)!;
      const { size } = symbol;
      expect(isFinder(symbol, 0, 0)).toBe(true);
      expect(isFinder(symbol, size - 7, 0)).toBe(true);
      expect(isFinder(symbol, 0, size - 7)).toBe(true);
      for (let i = 8; i < size - 8; i++) {
        expect(module(symbol, i, 6)).toBe(i % 2 === 0 ? 1 : 0);
        expect(module(symbol, 6, i)).toBe(i % 2 === 0 ? 1 : 0);
      }
      expect(module(symbol, 8, size - 8)).toBe(1);
      const expected = formatBits(level, symbol.mask);
      let first = 0;
      let second = 0;
      const firstCopy = [[8, 0], [8, 1], [8, 2], [8, 3], [8, 4], [8, 5], [8, 7], [8, 8], [7, 8], [5, 8], [4, 8], [3, 8], [2, 8], [1, 8], [0, 8]];
      firstCopy.forEach(([x, y], i) => (first |= module(symbol, x!, y!) << i));
      for (let i = 0; i < 8; i++) second |= module(symbol, size - 1 - i, 8) << i;
      for (let i = 8; i < 15; i++) second |= module(symbol, 8, size - 15 + i) << i;
      expect(first).toBe(expected);
      expect(second).toBe(expected);
    }
  });

  it('adds the version information from version 7 on', () => {
    const symbol = encodeQr(bytes('v'.repeat(150)), 'm')!;
    expect(symbol.version).toBeGreaterThanOrEqual(7);
    // The 6 most significant of the 18 bits are the version number, in the block left of the top right finder.
    let version = 0;
    for (let i = 12; i < 18; i++) version |= module(symbol, symbol.size - 11 + (i % 3), Math.floor(i / 3)) << (i - 12);
    expect(version).toBe(symbol.version);
  });
});
