import { inflateSync } from 'node:zlib';
import type { Bitmap } from './bitmap.js';

/** Tallest ^GF graphic drawn, in dots. */
const MAX_GRAPHIC_DOTS = 50_000;

/**
 * The dots of a `^GFA,total,total,bytesPerRow,data` field: data as ASCII hex, with Zebra's
 * run-length compression (G–Y and g–z repeat counts, `,` white to the end of the row, `!` black to
 * the end of the row, `:` the previous row again), or as `:Z64:` (zlib, base64) or `:B64:` (base64).
 * Returns a reason instead when the field is in another format or malformed. `charge` is told the
 * dots before they are allocated (and may throw: the render budget).
 */
export function decodeGraphicField(params: string, charge: (dots: number) => void = () => {}): Bitmap | string {
  const match = /^([ABC]),(\d+),(\d+),(\d+),(.*)$/s.exec(params);
  if (!match) return 'malformed ^GF parameters';
  const [, format, totalText, , rowText, data] = match;
  if (format !== 'A') return `^GF format ${format} (binary) is not drawn`;
  const total = Number(totalText);
  const bytesPerRow = Number(rowText);
  if (bytesPerRow < 1 || total < 1) return 'empty ^GF field';
  const height = Math.ceil(total / bytesPerRow);
  if (height > MAX_GRAPHIC_DOTS) return `^GF field ${height} dots tall`;
  // Zebra's compression expands a few bytes into whole rows: the declared size is what gets allocated.
  charge(bytesPerRow * 8 * height);
  const bytes = /^:(Z64|B64):/.test(data!) ? decodeBase64(data!) : expandHex(data!.replace(/\s/g, ''), bytesPerRow, height);
  if (typeof bytes === 'string') return bytes;
  const width = bytesPerRow * 8;
  const dots = new Uint8Array(width * height);
  for (let i = 0; i < Math.min(dots.length, bytes.length * 8); i++) dots[i] = (bytes[i >> 3]! >> (7 - (i & 7))) & 1;
  return { width, height, data: dots };
}

function decodeBase64(data: string): Uint8Array | string {
  const [, kind, payload] = /^:(Z64|B64):([^:]*)/.exec(data)!;
  const raw = Buffer.from(payload!, 'base64');
  if (kind === 'B64') return raw;
  try {
    return inflateSync(raw);
  } catch {
    return '^GF :Z64: data does not inflate';
  }
}

/** Hex digits with Zebra's ASCII compression, row by row. */
function expandHex(data: string, bytesPerRow: number, height: number): Uint8Array | string {
  const rowNibbles = bytesPerRow * 2;
  const out = new Uint8Array(bytesPerRow * height);
  let row = 0;
  let nibble = 0;
  let count = 0;
  const put = (value: number): void => {
    if (row >= height) return;
    const index = row * bytesPerRow + (nibble >> 1);
    out[index] = out[index]! | (nibble & 1 ? value : value << 4);
    nibble += 1;
    if (nibble === rowNibbles) {
      row += 1;
      nibble = 0;
    }
  };
  const fillRow = (value: number): void => {
    do put(value);
    while (nibble !== 0);
  };
  for (const char of data) {
    const code = char.charCodeAt(0);
    if (/[0-9A-Fa-f]/.test(char)) {
      const value = parseInt(char, 16);
      for (let i = 0; i < Math.max(1, count); i++) put(value);
      count = 0;
    } else if (char >= 'G' && char <= 'Y') count += code - 0x47 + 1;
    else if (char >= 'g' && char <= 'z') count += (code - 0x67 + 1) * 20;
    else if (char === ',') fillRow(0);
    else if (char === '!') fillRow(0xf);
    else if (char === ':') {
      if (nibble !== 0 || row === 0) return "^GF ':' (repeat the row) not at the start of a row";
      if (row < height) out.copyWithin(row * bytesPerRow, (row - 1) * bytesPerRow, row * bytesPerRow);
      row += 1;
    } else return `^GF data holds ${JSON.stringify(char)}`;
    if (row >= height) break;
  }
  return out;
}
