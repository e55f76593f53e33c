/**
 * A QR Code model 2 encoder (ISO/IEC 18004), byte mode, versions 1-40, for the preview: the printer
 * draws its QR codes itself from the data, and the preview draws a symbol carrying the same data at the
 * same error-correction level, so it scans alike (the printer may pick another mask or mode).
 */

export type QrLevel = 'l' | 'm' | 'q' | 'h';

/** A square of modules, row by row, 1 = dark. */
export interface QrSymbol {
  version: number;
  size: number;
  mask: number;
  modules: Uint8Array;
}

const LEVEL_INDEX: Record<QrLevel, number> = { l: 0, m: 1, q: 2, h: 3 };
/** The two format bits of each level (L 01, M 00, Q 11, H 10). */
const LEVEL_BITS: Record<QrLevel, number> = { l: 1, m: 0, q: 3, h: 2 };

// Error-correction codewords per block and number of blocks, per level (L, M, Q, H) and version (index 0 unused): ISO/IEC 18004 table 9.
const ECC_PER_BLOCK = [
  [-1, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
  [-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  [-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
] as const;
const BLOCKS = [
  [-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
  [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
  [-1, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
  [-1, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
] as const;

/** Modules left for codewords once the function patterns are placed. */
function rawModules(version: number): number {
  let modules = (16 * version + 128) * version + 64;
  if (version >= 2) {
    const aligns = Math.floor(version / 7) + 2;
    modules -= (25 * aligns - 10) * aligns - 55;
    if (version >= 7) modules -= 36;
  }
  return modules;
}

function dataCodewords(version: number, level: QrLevel): number {
  const index = LEVEL_INDEX[level];
  return Math.floor(rawModules(version) / 8) - ECC_PER_BLOCK[index]![version]! * BLOCKS[index]![version]!;
}

/** The smallest symbol holding `data` in byte mode at `level`; undefined when even version 40 is too small. */
export function encodeQr(data: Uint8Array, level: QrLevel): QrSymbol | undefined {
  let version = 1;
  while (version <= 40 && 4 + (version < 10 ? 8 : 16) + data.length * 8 > dataCodewords(version, level) * 8) version++;
  if (version > 40) return undefined;
  const codewords = withErrorCorrection(dataBits(data, version, level), version, level);
  const matrix = new QrMatrix(version);
  matrix.drawFunctionPatterns();
  matrix.placeCodewords(codewords);
  let best: { mask: number; penalty: number; modules: Uint8Array } | undefined;
  for (let mask = 0; mask < 8; mask++) {
    const modules = matrix.masked(mask, level);
    const score = penalty(modules, matrix.size);
    if (!best || score < best.penalty) best = { mask, penalty: score, modules };
  }
  return { version, size: matrix.size, mask: best!.mask, modules: best!.modules };
}

/** Mode indicator, length, the bytes, terminator and pad codewords. */
function dataBits(data: Uint8Array, version: number, level: QrLevel): Uint8Array {
  const capacity = dataCodewords(version, level);
  const bits: number[] = [];
  const put = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1);
  };
  put(0b0100, 4);
  put(data.length, version < 10 ? 8 : 16);
  for (const byte of data) put(byte, 8);
  put(0, Math.min(4, capacity * 8 - bits.length));
  put(0, (8 - (bits.length % 8)) % 8);
  const bytes = new Uint8Array(capacity);
  for (let i = 0; i < bits.length; i++) bytes[i >>> 3]! |= bits[i]! << (7 - (i & 7));
  for (let i = bits.length / 8, pad = 0; i < capacity; i++, pad++) bytes[i] = pad % 2 === 0 ? 0xec : 0x11;
  return bytes;
}

/** GF(256) product under the QR polynomial x^8 + x^4 + x^3 + x^2 + 1. */
export function gfMultiply(a: number, b: number): number {
  let product = 0;
  for (let i = 7; i >= 0; i--) {
    product = (product << 1) ^ ((product >>> 7) * 0x11d);
    product ^= ((b >>> i) & 1) * a;
  }
  return product & 0xff;
}

/** Coefficients (highest first, leading 1 left out) of the generator polynomial with roots α^0 … α^(degree-1). */
function generator(degree: number): number[] {
  const poly = new Array<number>(degree).fill(0);
  poly[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      poly[j] = gfMultiply(poly[j]!, root);
      if (j + 1 < degree) poly[j] = poly[j]! ^ poly[j + 1]!;
    }
    root = gfMultiply(root, 0x02);
  }
  return poly;
}

/** The Reed-Solomon error-correction codewords of one block. */
export function reedSolomon(data: Uint8Array, degree: number): Uint8Array {
  const divisor = generator(degree);
  const remainder = new Array<number>(degree).fill(0);
  for (const byte of data) {
    const factor = byte ^ remainder.shift()!;
    remainder.push(0);
    divisor.forEach((coefficient, i) => (remainder[i] = remainder[i]! ^ gfMultiply(coefficient, factor)));
  }
  return Uint8Array.from(remainder);
}

/** Splits the data into blocks, appends each block's error correction, and interleaves them. */
function withErrorCorrection(data: Uint8Array, version: number, level: QrLevel): Uint8Array {
  const index = LEVEL_INDEX[level];
  const blockCount = BLOCKS[index]![version]!;
  const eccLength = ECC_PER_BLOCK[index]![version]!;
  const total = Math.floor(rawModules(version) / 8);
  const shortBlocks = blockCount - (total % blockCount);
  const shortLength = Math.floor(total / blockCount) - eccLength;
  const blocks: { data: Uint8Array; ecc: Uint8Array }[] = [];
  for (let i = 0, offset = 0; i < blockCount; i++) {
    const length = shortLength + (i < shortBlocks ? 0 : 1);
    const block = data.subarray(offset, offset + length);
    offset += length;
    blocks.push({ data: block, ecc: reedSolomon(block, eccLength) });
  }
  const out: number[] = [];
  for (let i = 0; i <= shortLength; i++) for (const block of blocks) if (i < block.data.length) out.push(block.data[i]!);
  for (let i = 0; i < eccLength; i++) for (const block of blocks) out.push(block.ecc[i]!);
  return Uint8Array.from(out);
}

/** Where the alignment patterns' centres are, on both axes. */
function alignmentPositions(version: number, size: number): number[] {
  if (version === 1) return [];
  const count = Math.floor(version / 7) + 2;
  const step = Math.floor((version * 8 + count * 3 + 5) / (count * 4 - 4)) * 2;
  const positions = [6];
  for (let position = size - 7; positions.length < count; position -= step) positions.splice(1, 0, position);
  return positions;
}

/** The 15 format bits: level and mask, BCH(15,5) protected, XOR 101010000010010. */
export function formatBits(level: QrLevel, mask: number): number {
  const data = (LEVEL_BITS[level] << 3) | mask;
  let remainder = data;
  for (let i = 0; i < 10; i++) remainder = (remainder << 1) ^ ((remainder >>> 9) * 0x537);
  return ((data << 10) | remainder) ^ 0x5412;
}

function versionBits(version: number): number {
  let remainder = version;
  for (let i = 0; i < 12; i++) remainder = (remainder << 1) ^ ((remainder >>> 11) * 0x1f25);
  return (version << 12) | remainder;
}

class QrMatrix {
  readonly size: number;
  readonly modules: Uint8Array;
  /** Modules of finder, timing, alignment, format and version patterns: masks leave them alone. */
  readonly fixed: Uint8Array;

  constructor(readonly version: number) {
    this.size = version * 4 + 17;
    this.modules = new Uint8Array(this.size * this.size);
    this.fixed = new Uint8Array(this.size * this.size);
  }

  private set(x: number, y: number, dark: boolean): void {
    this.modules[y * this.size + x] = dark ? 1 : 0;
    this.fixed[y * this.size + x] = 1;
  }

  drawFunctionPatterns(): void {
    const { size } = this;
    for (let i = 0; i < size; i++) {
      this.set(6, i, i % 2 === 0);
      this.set(i, 6, i % 2 === 0);
    }
    for (const [cx, cy] of [[3, 3], [size - 4, 3], [3, size - 4]] as const) {
      for (let dy = -4; dy <= 4; dy++) {
        for (let dx = -4; dx <= 4; dx++) {
          const x = cx + dx;
          const y = cy + dy;
          const ring = Math.max(Math.abs(dx), Math.abs(dy));
          if (x >= 0 && x < size && y >= 0 && y < size) this.set(x, y, ring !== 2 && ring !== 4);
        }
      }
    }
    const positions = alignmentPositions(this.version, size);
    for (const cy of positions) {
      for (const cx of positions) {
        if ((cx === 6 && cy === 6) || (cx === 6 && cy === size - 7) || (cx === size - 7 && cy === 6)) continue;
        for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) this.set(cx + dx, cy + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      }
    }
    this.drawFormat(0);
    if (this.version >= 7) {
      const bits = versionBits(this.version);
      for (let i = 0; i < 18; i++) {
        const dark = ((bits >>> i) & 1) === 1;
        const a = size - 11 + (i % 3);
        const b = Math.floor(i / 3);
        this.set(a, b, dark);
        this.set(b, a, dark);
      }
    }
  }

  drawFormat(bits: number): void {
    const { size } = this;
    const bit = (i: number) => ((bits >>> i) & 1) === 1;
    for (let i = 0; i <= 5; i++) this.set(8, i, bit(i));
    this.set(8, 7, bit(6));
    this.set(8, 8, bit(7));
    this.set(7, 8, bit(8));
    for (let i = 9; i < 15; i++) this.set(14 - i, 8, bit(i));
    for (let i = 0; i < 8; i++) this.set(size - 1 - i, 8, bit(i));
    for (let i = 8; i < 15; i++) this.set(8, size - 15 + i, bit(i));
    this.set(8, size - 8, true);
  }

  /** Codeword bits in the zigzag of two-module columns, right to left, skipping the vertical timing column. */
  placeCodewords(codewords: Uint8Array): void {
    const { size } = this;
    let i = 0;
    for (let right = size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      const upward = ((right + 1) & 2) === 0;
      for (let step = 0; step < size; step++) {
        const y = upward ? size - 1 - step : step;
        for (let j = 0; j < 2; j++) {
          const x = right - j;
          if (this.fixed[y * size + x]) continue;
          if (i < codewords.length * 8) this.modules[y * size + x] = (codewords[i >>> 3]! >>> (7 - (i & 7))) & 1;
          i++;
        }
      }
    }
  }

  /** The modules with mask `mask` applied to the data area and the format bits for it drawn. */
  masked(mask: number, level: QrLevel): Uint8Array {
    const copy = new QrMatrix(this.version);
    copy.modules.set(this.modules);
    copy.fixed.set(this.fixed);
    for (let y = 0; y < this.size; y++) {
      for (let x = 0; x < this.size; x++) {
        if (!copy.fixed[y * this.size + x] && maskFlips(mask, x, y)) copy.modules[y * this.size + x]! ^= 1;
      }
    }
    copy.drawFormat(formatBits(level, mask));
    return copy.modules;
  }
}

function maskFlips(mask: number, x: number, y: number): boolean {
  switch (mask) {
    case 0: return (x + y) % 2 === 0;
    case 1: return y % 2 === 0;
    case 2: return x % 3 === 0;
    case 3: return (x + y) % 3 === 0;
    case 4: return (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0;
    case 5: return ((x * y) % 2) + ((x * y) % 3) === 0;
    case 6: return (((x * y) % 2) + ((x * y) % 3)) % 2 === 0;
    default: return (((x + y) % 2) + ((x * y) % 3)) % 2 === 0;
  }
}

/** The standard's penalty: long runs, 2×2 blocks, finder-like patterns, dark/light imbalance. Lower is better. */
function penalty(modules: Uint8Array, size: number): number {
  const at = (x: number, y: number) => modules[y * size + x]!;
  let score = 0;
  const finder = [1, 0, 1, 1, 1, 0, 1];
  for (const horizontal of [true, false]) {
    for (let a = 0; a < size; a++) {
      let run = 1;
      for (let b = 1; b <= size; b++) {
        const same = b < size && (horizontal ? at(b, a) === at(b - 1, a) : at(a, b) === at(a, b - 1));
        if (same) run++;
        else {
          if (run >= 5) score += run - 2;
          run = 1;
        }
      }
      for (let b = 0; b + 7 <= size; b++) {
        if (!finder.every((value, k) => (horizontal ? at(b + k, a) : at(a, b + k)) === value)) continue;
        const light = (from: number, to: number) => {
          for (let k = from; k < to; k++) if (k >= 0 && k < size && (horizontal ? at(k, a) : at(a, k)) === 1) return false;
          return true;
        };
        if (light(b - 4, b) || light(b + 7, b + 11)) score += 40;
      }
    }
  }
  let dark = 0;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      dark += at(x, y);
      if (x + 1 < size && y + 1 < size && at(x, y) === at(x + 1, y) && at(x, y) === at(x, y + 1) && at(x, y) === at(x + 1, y + 1)) score += 3;
    }
  }
  return score + Math.floor(Math.abs(dark * 20 - size * size * 10) / (size * size)) * 10;
}
