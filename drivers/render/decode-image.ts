import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DriverError } from '../../src/driver-api/index.js';
import type { RgbaImage } from './bitmap.js';

/** Refuse images whose decoded pixels would not fit a sane memory budget (a 4-inch label at 300 dpi is ~1,200 × 3,600). */
const MAX_PIXELS = 40_000_000;

export type ImageType = 'image/png' | 'image/jpeg';

/** The image type from its magic bytes, or undefined. */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return undefined;
}

/**
 * Decodes a PNG or JPEG into RGBA. Anything broken — wrong magic, truncated data, bad CRC, absurd
 * size — is a DOCUMENT_FORMAT_ERROR, never an uncaught exception.
 */
export function decodeImage(bytes: Uint8Array, declared: string): RgbaImage {
  const type = sniffImageType(bytes);
  if (type === undefined) {
    throw new DriverError('DOCUMENT_FORMAT_ERROR', `the ${declared} document is not a PNG or JPEG image`);
  }
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let image: RgbaImage;
  try {
    if (type === 'image/png') {
      // Check the header's size before pngjs allocates the pixels.
      if (buffer.length >= 24 && buffer.readUInt32BE(16) * buffer.readUInt32BE(20) > MAX_PIXELS) throw new Error('image too large');
      const png = PNG.sync.read(buffer);
      image = { width: png.width, height: png.height, data: png.data };
    } else {
      const decoded = jpeg.decode(buffer, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1_000_000, maxMemoryUsageInMB: 512 });
      image = { width: decoded.width, height: decoded.height, data: decoded.data };
    }
  } catch (error) {
    throw new DriverError('DOCUMENT_FORMAT_ERROR', `cannot decode the ${type} image: ${(error as Error).message}`, { cause: error });
  }
  if (!(image.width > 0 && image.height > 0) || image.width * image.height > MAX_PIXELS || image.data.length < image.width * image.height * 4) {
    throw new DriverError('DOCUMENT_FORMAT_ERROR', `the ${type} image has an unusable size (${image.width}×${image.height})`);
  }
  return image;
}
