import { DriverError } from '../../src/driver-api/index.js';

/** Decodes a `data:` URL (base64 or percent-encoded). Other schemes are refused: printgate fetches nothing. */
export function decodeDataUrl(url: string): { mediaType: string; bytes: Uint8Array } {
  const match = /^data:([^,]*?),(.*)$/is.exec(url.trim());
  if (!match) throw new DriverError('DOCUMENT_FORMAT_ERROR', 'only data: URLs can be printed as images');
  const meta = match[1]!.split(';').map((part) => part.trim().toLowerCase());
  const base64 = meta.includes('base64');
  const payload = match[2]!;
  const bytes = base64 ? Buffer.from(payload.replace(/\s+/g, ''), 'base64') : Buffer.from(decodeURIComponent(payload), 'latin1');
  return { mediaType: meta[0] || 'text/plain', bytes };
}
