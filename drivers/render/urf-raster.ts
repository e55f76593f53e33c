import { DriverError } from '../../src/driver-api/index.js';
import { checkGeometry, type PageVisitor } from './pwg-raster.js';
import { decodeLines, type PixelFormat } from './raster-lines.js';

const URF_MAGIC = 'UNIRAST\0';
const PAGE_HEADER_BYTES = 32;

/** Apple raster colour spaces: 0 sGray, 1 sRGB, 3 AdobeRGB, 4 W, 5 RGB, 6 CMYK (CIELab, 2, is not read). */
function urfFormat(bitsPerPixel: number, colorSpace: number): PixelFormat | null {
  if (bitsPerPixel === 1) return { bitsPerPixel, kind: 'black1', blank: 0x00 };
  const grey = colorSpace === 0 || colorSpace === 4;
  const rgb = colorSpace === 1 || colorSpace === 3 || colorSpace === 5;
  if (grey && bitsPerPixel === 8) return { bitsPerPixel, kind: 'grey8', blank: 0xff };
  if (grey && bitsPerPixel === 16) return { bitsPerPixel, kind: 'grey16', blank: 0xff };
  if (rgb && bitsPerPixel === 24) return { bitsPerPixel, kind: 'rgb8', blank: 0xff };
  if (rgb && bitsPerPixel === 48) return { bitsPerPixel, kind: 'rgb16', blank: 0xff };
  if (colorSpace === 6 && bitsPerPixel === 32) return { bitsPerPixel, kind: 'cmyk8', blank: 0x00 };
  return null;
}

/**
 * Walks an Apple raster (image/urf, what AirPrint clients send): "UNIRAST\0", a page count, then
 * per page a 32-byte header (bits per pixel, colour space, duplex, quality, width, height, dpi)
 * and lines in the same compression as PWG raster. W8, SRGB24 and their kin are read. Returns the
 * number of pages.
 */
export function readUrfRaster(bytes: Uint8Array, visit: PageVisitor): number {
  if (bytes.length < 12 || Buffer.from(bytes.subarray(0, 8)).toString('latin1') !== URF_MAGIC) {
    throw new DriverError('DOCUMENT_FORMAT_ERROR', 'the image/urf document does not start with "UNIRAST"');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 12;
  let pages = 0;
  while (at < bytes.length) {
    const page = `page ${pages + 1} of the image/urf document`;
    if (at + PAGE_HEADER_BYTES > bytes.length) throw new DriverError('DOCUMENT_FORMAT_ERROR', `${page} has a cut-off header`);
    const bitsPerPixel = bytes[at]!;
    const colorSpace = bytes[at + 1]!;
    const width = view.getUint32(at + 12);
    const height = view.getUint32(at + 16);
    const dpi = view.getUint32(at + 20);
    const format = urfFormat(bitsPerPixel, colorSpace);
    if (!format) throw new DriverError('DOCUMENT_FORMAT_ERROR', `${page} uses colour space ${colorSpace} at ${bitsPerPixel} bits per pixel; printgate reads W8, SRGB24, CMYK32 and their 16-bit kin`);
    const bytesPerLine = Math.ceil((width * bitsPerPixel) / 8);
    const header = { width, height, xDpi: dpi, yDpi: dpi, bytesPerLine, format };
    checkGeometry(header, bitsPerPixel, page);
    at += PAGE_HEADER_BYTES;
    at = decodeLines(bytes, at, { bytesPerLine, bytesPerPixel: Math.max(1, bitsPerPixel / 8), height, blank: format.blank }, page, visit(header, pages));
    pages += 1;
  }
  if (pages === 0) throw new DriverError('DOCUMENT_FORMAT_ERROR', 'the image/urf document has no page');
  return pages;
}
