import { DriverError } from '../../src/driver-api/index.js';

export type ImageType = 'image/png' | 'image/jpeg';

/** What an image's header says, read without decoding a pixel. */
export interface ImageHeader {
  type: ImageType;
  width: number;
  height: number;
  /** Pixels per inch from PNG pHYs or the JFIF density, when the file states one (square pixels assumed). */
  dpi?: number;
}

/** The image type from its magic bytes, or undefined. */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return undefined;
}

const u16 = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;
const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) >>> 0) + (b[at + 1]! << 16) + (b[at + 2]! << 8) + b[at + 3]!;
const ascii = (b: Uint8Array, at: number, length: number): string => String.fromCharCode(...b.subarray(at, at + length));

function pngHeader(b: Uint8Array): Omit<ImageHeader, 'type'> | undefined {
  if (b.length < 24 || ascii(b, 12, 4) !== 'IHDR') return undefined;
  const header: Omit<ImageHeader, 'type'> = { width: u32(b, 16), height: u32(b, 20) };
  // pHYs must come before the first IDAT.
  for (let at = 8; at + 8 <= b.length; ) {
    const length = u32(b, at);
    const type = ascii(b, at + 4, 4);
    if (type === 'IDAT' || type === 'IEND') break;
    if (type === 'pHYs' && length >= 9 && at + 17 <= b.length && b[at + 16] === 1) {
      const perMetre = u32(b, at + 8);
      if (perMetre > 0) header.dpi = perMetre * 0.0254;
      break;
    }
    at += 12 + length;
  }
  return header;
}

/** Start-of-frame markers (baseline, progressive, lossless, arithmetic); not DHT (C4), JPG (C8), DAC (CC). */
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function jpegHeader(b: Uint8Array): Omit<ImageHeader, 'type'> | undefined {
  let dpi: number | undefined;
  for (let at = 2; at + 4 <= b.length; ) {
    if (b[at] !== 0xff) return undefined;
    const marker = b[at + 1]!;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    const length = u16(b, at + 2);
    if (marker === 0xe0 && at + 18 <= b.length && ascii(b, at + 4, 5) === 'JFIF\0') {
      const units = b[at + 11];
      const density = u16(b, at + 12);
      if (density > 0 && units === 1) dpi = density;
      else if (density > 0 && units === 2) dpi = density * 2.54;
    }
    if (SOF.has(marker) && at + 9 <= b.length) {
      return { width: u16(b, at + 7), height: u16(b, at + 5), ...(dpi === undefined ? {} : { dpi }) };
    }
    if (marker === 0xd9 || marker === 0xda) return undefined;
    at += 2 + length;
  }
  return undefined;
}

/**
 * Reads a PNG's or JPEG's size and resolution from its header (cheap: no pixel is decoded). A file
 * that is neither, or whose header is cut off, is a DOCUMENT_FORMAT_ERROR.
 */
export function readImageHeader(bytes: Uint8Array, declared: string): ImageHeader {
  const type = sniffImageType(bytes);
  if (type === undefined) throw new DriverError('DOCUMENT_FORMAT_ERROR', `the ${declared} document is not a PNG or JPEG image`);
  const header = type === 'image/png' ? pngHeader(bytes) : jpegHeader(bytes);
  if (header === undefined || !(header.width > 0 && header.height > 0)) {
    throw new DriverError('DOCUMENT_FORMAT_ERROR', `the ${type} image has no readable size in its header`);
  }
  return { type, ...header };
}
