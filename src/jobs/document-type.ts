import type { Language } from '../driver-api/index.js';
import { AppError } from '../errors/app-error.js';

/** A document's media type as a front door received it: the type, and its charset if it named one. */
export interface DocumentType {
  /** Lower case, without parameters: text/plain, application/pdf; '' when none was sent. */
  mediaType: string;
  /** The `charset` parameter, lower case, or null. */
  charset: string | null;
}

/** Splits a Content-Type value (`text/plain; charset=ISO-8859-1`) into media type and charset. */
export function parseDocumentType(contentType: string): DocumentType {
  const [type = '', ...params] = contentType.split(';');
  let charset: string | null = null;
  for (const param of params) {
    const match = /^\s*charset\s*=\s*"?([^";\s]*)"?\s*$/i.exec(param);
    if (match) charset = (match[1] ?? '').toLowerCase() || null;
  }
  return { mediaType: type.trim().toLowerCase(), charset };
}

/** The printer's language must accept the document's type; a compressed body is refused (we do not inflate). */
export function checkDocumentType(type: DocumentType, language: Language, printerId: string, contentEncoding: string | undefined): void {
  if (!language.acceptedTypes.includes(type.mediaType)) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type "${type.mediaType.slice(0, 100) || '(none)'}" cannot be printed on ${printerId} (${language.name}). Accepted: ${language.acceptedTypes.join(', ')}.`,
      { details: { field: 'Content-Type', accepted: language.acceptedTypes } },
    );
  }
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding "${encoding.slice(0, 40)}" is not supported: send the document uncompressed.`, {
      details: { field: 'Content-Encoding', accepted: language.acceptedTypes },
    });
  }
}
