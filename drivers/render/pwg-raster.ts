import { DriverError } from '../../src/driver-api/index.js';
import { decodeLines, type PixelFormat } from './raster-lines.js';

/** What a raster page header says, read before a pixel is decoded. */
export interface RasterPageHeader {
  width: number;
  height: number;
  xDpi: number;
  yDpi: number;
  bytesPerLine: number;
  format: PixelFormat;
}

/** Visits each page: return a line callback to decode it, or null to walk over its data. */
export type PageVisitor = (header: RasterPageHeader, index: number) => ((row: Uint8Array, y: number) => void) | null;

const PWG_SYNC = 'RaS2';
const HEADER_BYTES = 1796;

/** PWG 5102.4 colour spaces printgate reads, with the bit depths each allows. */
function pwgFormat(colorSpace: number, bitsPerColor: number, bitsPerPixel: number): PixelFormat | null {
  const fits = (kind: PixelFormat['kind'], blank: number, bpp: number): PixelFormat | null => (bitsPerPixel === bpp ? { bitsPerPixel, kind, blank } : null);
  switch (colorSpace) {
    case 3: // black (K): 1 = ink
      if (bitsPerColor === 1) return fits('black1', 0x00, 1);
      if (bitsPerColor === 8) return fits('white8', 0x00, 8);
      return null;
    case 0: // W (cups gray)
    case 18: // sgray
      if (bitsPerColor === 8) return fits('grey8', 0xff, 8);
      if (bitsPerColor === 16) return fits('grey16', 0xff, 16);
      return null;
    case 1: // rgb
    case 19: // srgb
    case 20: // adobe-rgb
      if (bitsPerColor === 8) return fits('rgb8', 0xff, 24);
      if (bitsPerColor === 16) return fits('rgb16', 0xff, 48);
      return null;
    case 6: // cmyk
      return bitsPerColor === 8 ? fits('cmyk8', 0x00, 32) : null;
    default:
      return null;
  }
}

/**
 * Walks a PWG raster (image/pwg-raster, PWG 5102.4): the "RaS2" sync word, then per page a
 * 1796-byte header (big-endian) and the line-compressed pixels. Supported: black_1, sgray_8/16,
 * srgb_8/16, adobe-rgb_8/16 and cmyk_8, chunky order (what pwg-raster-document-type-supported
 * offers and what CUPS, Android and Windows send). Anything else is a DOCUMENT_FORMAT_ERROR.
 * Returns the number of pages.
 */
export function readPwgRaster(bytes: Uint8Array, visit: PageVisitor): number {
  if (bytes.length < 4 || Buffer.from(bytes.subarray(0, 4)).toString('latin1') !== PWG_SYNC) {
    throw new DriverError('DOCUMENT_FORMAT_ERROR', 'the image/pwg-raster document does not start with the PWG sync word "RaS2"');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 4;
  let pages = 0;
  while (at < bytes.length) {
    if (at + HEADER_BYTES > bytes.length) throw new DriverError('DOCUMENT_FORMAT_ERROR', `page ${pages + 1} of the image/pwg-raster document has a cut-off header`);
    const u32 = (offset: number): number => view.getUint32(at + offset);
    const header = {
      xDpi: u32(276),
      yDpi: u32(280),
      width: u32(372),
      height: u32(376),
      bitsPerColor: u32(384),
      bitsPerPixel: u32(388),
      bytesPerLine: u32(392),
      colorOrder: u32(396),
      colorSpace: u32(400),
    };
    const page = `page ${pages + 1} of the image/pwg-raster document`;
    const format = header.colorOrder === 0 ? pwgFormat(header.colorSpace, header.bitsPerColor, header.bitsPerPixel) : null;
    if (!format) {
      throw new DriverError(
        'DOCUMENT_FORMAT_ERROR',
        `${page} uses colour space ${header.colorSpace} at ${header.bitsPerColor} bits (order ${header.colorOrder}); printgate reads black_1, sgray_8, srgb_8, cmyk_8 and their 16-bit kin`,
      );
    }
    checkGeometry(header, format.bitsPerPixel, page);
    at += HEADER_BYTES;
    const line = visit({ width: header.width, height: header.height, xDpi: header.xDpi, yDpi: header.yDpi, bytesPerLine: header.bytesPerLine, format }, pages);
    at = decodeLines(bytes, at, { bytesPerLine: header.bytesPerLine, bytesPerPixel: Math.max(1, format.bitsPerPixel / 8), height: header.height, blank: format.blank }, page, line);
    pages += 1;
  }
  if (pages === 0) throw new DriverError('DOCUMENT_FORMAT_ERROR', 'the image/pwg-raster document has no page');
  return pages;
}

/** Width, height, resolution and line length a raster page may have (one page is at most 1 m × 10 m at 2400 dpi). */
export function checkGeometry(header: { width: number; height: number; xDpi: number; yDpi: number; bytesPerLine: number }, bitsPerPixel: number, page: string): void {
  const sane = (value: number, max: number): boolean => Number.isInteger(value) && value > 0 && value <= max;
  if (!sane(header.width, 100_000) || !sane(header.height, 1_000_000) || !sane(header.xDpi, 9600) || !sane(header.yDpi, 9600)) {
    throw new DriverError('DOCUMENT_FORMAT_ERROR', `${page} has an impossible size (${header.width}×${header.height} at ${header.xDpi}×${header.yDpi} dpi)`);
  }
  if (header.bytesPerLine !== Math.ceil((header.width * bitsPerPixel) / 8)) {
    throw new DriverError('DOCUMENT_FORMAT_ERROR', `${page} says ${header.bytesPerLine} bytes per line for ${header.width} pixels of ${bitsPerPixel} bits`);
  }
}
