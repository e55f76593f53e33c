import type { RenderInput } from '../../src/driver-api/index.js';
import { DriverError, decodeText, SUPPORTED_CHARSETS } from '../../src/driver-api/index.js';

/**
 * A text document (plain, markup, HTML) as a string, in the job's charset (UTF-8 when it has
 * none; a byte-order mark wins). Bytes the charset cannot read print as "?".
 */
export function documentText(input: Pick<RenderInput, 'body' | 'charset'>): string {
  try {
    return decodeText(input.body, input.charset ?? 'utf-8').replace(/\uFFFD/g, '?');
  } catch (error) {
    throw new DriverError('DOCUMENT_FORMAT_ERROR', `charset "${String(input.charset).slice(0, 40)}" cannot be read; supported: ${SUPPORTED_CHARSETS.join(', ')}`, { cause: error });
  }
}
