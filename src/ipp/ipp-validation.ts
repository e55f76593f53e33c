import { GROUP, TAG } from './ipp-constants.js';
import { IppRequestError } from './ipp-decoder.js';
import type { IppMessage } from './ipp-message.js';

/** Groups a request may carry after the operation group, each at most once. */
const REQUEST_GROUPS = new Set<number>([GROUP.job, GROUP.printer, GROUP.document, GROUP.subscription, GROUP.resource, GROUP.system]);

/**
 * The rules every request obeys before its operation is looked at (RFC 8011 §4.1): version 1.x or
 * 2.x, a request-id above 0, the operation attributes first, starting with attributes-charset then
 * attributes-natural-language, each group once, and a target (printer-uri or job-uri).
 */
export function validateRequest(message: IppMessage): void {
  const [major] = message.version;
  if (major !== 1 && major !== 2) throw new IppRequestError('server-error-version-not-supported', `IPP/${message.version.join('.')} is not supported (1.1, 2.0)`);
  if (message.requestId <= 0) throw new IppRequestError('client-error-bad-request', 'request-id must be 1 or more');
  const [first, ...rest] = message.groups;
  if (!first || first.tag !== GROUP.operation) throw new IppRequestError('client-error-bad-request', 'the operation attributes must come first');
  const seen = new Set<number>();
  for (const group of rest) {
    if (!REQUEST_GROUPS.has(group.tag)) throw new IppRequestError('client-error-bad-request', `attribute group 0x${group.tag.toString(16)} does not belong in a request (or comes twice)`);
    if (seen.has(group.tag)) throw new IppRequestError('client-error-bad-request', `attribute group 0x${group.tag.toString(16)} comes twice`);
    seen.add(group.tag);
  }
  const [charset, language] = first.attributes;
  if (charset?.name !== 'attributes-charset' || charset.values[0]?.tag !== TAG.charset) {
    throw new IppRequestError('client-error-bad-request', 'the first operation attribute must be attributes-charset');
  }
  if (language?.name !== 'attributes-natural-language' || language.values[0]?.tag !== TAG.naturalLanguage) {
    throw new IppRequestError('client-error-bad-request', 'the second operation attribute must be attributes-natural-language');
  }
  const value = String(charset.values[0]!.value).toLowerCase();
  if (value !== 'utf-8' && value !== 'us-ascii') throw new IppRequestError('client-error-charset-not-supported', `attributes-charset ${value} is not supported (utf-8)`);
  const target = first.attributes.find((attribute) => attribute.name === 'printer-uri' || attribute.name === 'job-uri');
  if (!target || target.values[0]?.tag !== TAG.uri) throw new IppRequestError('client-error-bad-request', 'the request names no printer-uri (or job-uri)');
}
