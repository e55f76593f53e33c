import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { DriverError } from '../../src/driver-api/index.js';
import type { RgbaImage } from './bitmap.js';
import { readImageHeader, type ImageHeader } from './image-header.js';

export { sniffImageType, type ImageType } from './image-header.js';

/**
 * Decodes a PNG or JPEG into RGBA, after its header (read with readImageHeader and charged to the
 * budget by the caller) said how big it is. Anything broken — truncated data, bad CRC, a size
 * that disagrees with the header — is a DOCUMENT_FORMAT_ERROR, never an uncaught exception.
 */
export function decodeImage(bytes: Uint8Array, header: ImageHeader = readImageHeader(bytes, 'image')): RgbaImage {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { type } = header;
  let image: RgbaImage;
  try {
    if (type === 'image/png') {
      const png = PNG.sync.read(buffer);
      image = { width: png.width, height: png.height, data: png.data };
    } else {
      const megapixels = Math.ceil((header.width * header.height) / 1_000_000) + 1;
      const decoded = jpeg.decode(buffer, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: megapixels, maxMemoryUsageInMB: 1024 });
      image = { width: decoded.width, height: decoded.height, data: decoded.data };
    }
  } catch (error) {
    throw new DriverError('DOCUMENT_FORMAT_ERROR', `cannot decode the ${type} image: ${(error as Error).message}`, { cause: error });
  }
  if (image.width !== header.width || image.height !== header.height || image.data.length < image.width * image.height * 4) {
    throw new DriverError('DOCUMENT_FORMAT_ERROR', `the ${type} image has an unusable size (${image.width}×${image.height})`);
  }
  return image;
}
