import { describe, expect, it } from 'vitest';
import { GROUP, TAG } from '../../../src/ipp/ipp-constants.js';
import { decodeIpp, IppRequestError } from '../../../src/ipp/ipp-decoder.js';
import { encodeIpp } from '../../../src/ipp/ipp-encoder.js';
import { charset, collection, dateTime, integer, keyword, language, nameValue, outOfBand, range, resolution, uri, type IppMessage } from '../../../src/ipp/ipp-message.js';
import { validateRequest } from '../../../src/ipp/ipp-validation.js';

const request = (groups: IppMessage['groups'], version: [number, number] = [2, 0], requestId = 7): IppMessage => ({ version, code: 0x000b, requestId, groups });
const operation = (...rest: IppMessage['groups'][number]['attributes']) => ({
  tag: GROUP.operation,
  attributes: [charset('attributes-charset', 'utf-8'), language('attributes-natural-language', 'en'), uri('printer-uri', 'ipp://box/ipp/print/a'), ...rest],
});

describe('IPP codec', () => {
  it('round-trips every value syntax the server writes, collections and out-of-band values included', () => {
    const message = request([
      operation(keyword('requested-attributes', 'all', 'media-col-database'), nameValue('requesting-user-name', 'zoë')),
      {
        tag: GROUP.job,
        attributes: [
          integer('copies', 2),
          range('copies-supported', { lower: 1, upper: 10 }),
          resolution('printer-resolution', { x: 203, y: 203, units: 3 }),
          dateTime('date-time-at-creation', new Date('2026-01-31T12:34:56.700Z')),
          collection('media-col', [collection('media-size', [integer('x-dimension', 8000), { name: 'y-dimension', values: [{ tag: TAG.rangeOfInteger, value: { lower: 2500, upper: 200000 } }] }])]),
          outOfBand('printer-geo-location', TAG.unknown),
        ],
      },
    ]);
    const bytes = Buffer.concat([encodeIpp(message), Buffer.from('%PDF-document')]);
    const decoded = decodeIpp(bytes)!;
    expect(decoded.message).toEqual(message);
    expect(bytes.subarray(decoded.offset).toString()).toBe('%PDF-document');
  });

  it('asks for more bytes while the attributes are cut off, at every length', () => {
    const bytes = encodeIpp(request([operation(keyword('requested-attributes', 'all'))]));
    for (let length = 0; length < bytes.length; length++) expect(decodeIpp(bytes.subarray(0, length))).toBeNull();
    expect(decodeIpp(bytes)).not.toBeNull();
  });

  it('refuses malformed values and too many attributes with the IPP status to answer', () => {
    const wrongLength = Buffer.from([2, 0, 0, 0x0b, 0, 0, 0, 1, 0x01, 0x21, 0, 1, 0x61, 0, 2, 0, 0, 0x03]);
    expect(() => decodeIpp(wrongLength)).toThrow(expect.objectContaining({ status: 'client-error-bad-request' }));
    const many = request([operation(...Array.from({ length: 3000 }, (_, i) => integer(`x-${i}`, i)))]);
    expect(() => decodeIpp(encodeIpp(many))).toThrow(expect.objectContaining({ status: 'client-error-request-entity-too-large' }));
    const endOutside = Buffer.from([2, 0, 0, 0x0b, 0, 0, 0, 1, 0x01, 0x37, 0, 0, 0, 0, 0x03]);
    expect(() => decodeIpp(endOutside)).toThrow(IppRequestError);
  });

  it('validates the request envelope: version, request-id, group order, charset first', () => {
    expect(() => validateRequest(request([operation()]))).not.toThrow();
    expect(() => validateRequest(request([operation()], [0, 0]))).toThrow(expect.objectContaining({ status: 'server-error-version-not-supported' }));
    expect(() => validateRequest(request([operation()], [2, 0], 0))).toThrow(expect.objectContaining({ status: 'client-error-bad-request' }));
    expect(() => validateRequest(request([{ tag: GROUP.job, attributes: [] }, operation()]))).toThrow(expect.objectContaining({ status: 'client-error-bad-request' }));
    expect(() => validateRequest(request([operation(), { tag: GROUP.job, attributes: [] }, { tag: GROUP.job, attributes: [] }]))).toThrow(/twice/);
    const swapped = { tag: GROUP.operation, attributes: [language('attributes-natural-language', 'en'), charset('attributes-charset', 'utf-8'), uri('printer-uri', 'ipp://x/')] };
    expect(() => validateRequest(request([swapped]))).toThrow(/attributes-charset/);
    const latin1 = { tag: GROUP.operation, attributes: [charset('attributes-charset', 'iso-8859-1'), language('attributes-natural-language', 'en'), uri('printer-uri', 'ipp://x/')] };
    expect(() => validateRequest(request([latin1]))).toThrow(expect.objectContaining({ status: 'client-error-charset-not-supported' }));
  });
});
