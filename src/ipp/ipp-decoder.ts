import { OUT_OF_BAND_TAGS, TAG, type StatusName } from './ipp-constants.js';
import type { IppAttribute, IppGroup, IppMessage, IppValue } from './ipp-message.js';

/** A request the server answers with an IPP status instead of a result (RFC 8011 §4.1). */
export class IppRequestError extends Error {
  constructor(
    readonly status: StatusName,
    message: string,
    /** Attributes to return in the unsupported-attributes group. */
    readonly unsupported: IppAttribute[] = [],
  ) {
    super(message);
  }
}

export interface DecodeLimits {
  /** Attributes (collection members included) a request may carry. */
  maxAttributes: number;
  /** Values of one attribute. */
  maxValues: number;
  /** Collections inside collections. */
  maxDepth: number;
}

export const DEFAULT_DECODE_LIMITS: Readonly<DecodeLimits> = Object.freeze({ maxAttributes: 2000, maxValues: 1000, maxDepth: 8 });

/** Thrown inside the decoder when the buffer ends before the attributes do: read more bytes. */
class Incomplete extends Error {}

const textual = new Set<number>([TAG.textWithoutLanguage, TAG.nameWithoutLanguage, TAG.memberAttrName]);

/**
 * Decodes the attribute part of an IPP message (RFC 8010 §3): version, operation, request-id,
 * the groups in the order sent (tags, names and every value kept), up to end-of-attributes.
 * Returns null when `buffer` ends first (more bytes are needed); `offset` is where the document
 * data begins. A malformed message (a value of the wrong length, a collection that does not end,
 * more attributes than the limits allow) throws IppRequestError with the status to answer.
 */
export function decodeIpp(buffer: Buffer, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): { message: IppMessage; offset: number } | null {
  let at = 0;
  let attributes = 0;
  const need = (bytes: number): void => {
    if (at + bytes > buffer.length) throw new Incomplete();
  };
  const u8 = (): number => {
    need(1);
    return buffer[at++]!;
  };
  const u16 = (): number => {
    need(2);
    const value = buffer.readUInt16BE(at);
    at += 2;
    return value;
  };
  const bytes = (length: number): Buffer => {
    need(length);
    const value = buffer.subarray(at, at + length);
    at += length;
    return value;
  };
  const bad = (message: string): never => {
    throw new IppRequestError('client-error-bad-request', message);
  };
  const count = (): void => {
    attributes += 1;
    if (attributes > limits.maxAttributes) {
      throw new IppRequestError('client-error-request-entity-too-large', `the request carries more than ${limits.maxAttributes} attributes`);
    }
  };

  const value = (tag: number, raw: Buffer, name: string, depth: number): IppValue => {
    if (OUT_OF_BAND_TAGS.has(tag)) return { tag, value: null };
    const fixed = (length: number): void => {
      if (raw.length !== length) bad(`${name}: a value of tag 0x${tag.toString(16)} must be ${length} bytes, got ${raw.length}`);
    };
    switch (tag) {
      case TAG.integer:
      case TAG.enum:
        fixed(4);
        return { tag, value: raw.readInt32BE(0) };
      case TAG.boolean:
        fixed(1);
        if (raw[0]! > 1) bad(`${name}: a boolean must be 0 or 1`);
        return { tag, value: raw[0] === 1 };
      case TAG.rangeOfInteger:
        fixed(8);
        return { tag, value: { lower: raw.readInt32BE(0), upper: raw.readInt32BE(4) } };
      case TAG.resolution: {
        fixed(9);
        const units = raw[8];
        if (units !== 3 && units !== 4) bad(`${name}: resolution units must be 3 (dpi) or 4 (dpcm)`);
        return { tag, value: { x: raw.readInt32BE(0), y: raw.readInt32BE(4), units: units as 3 | 4 } };
      }
      case TAG.dateTime: {
        fixed(11);
        const offsetMinutes = (raw[9]! * 60 + raw[10]!) * (raw[8] === 0x2d ? -1 : 1);
        const utc = Date.UTC(raw.readUInt16BE(0), raw[2]! - 1, raw[3]!, raw[4]!, raw[5]!, raw[6]!, raw[7]! * 100) - offsetMinutes * 60_000;
        return { tag, value: new Date(utc) };
      }
      case TAG.textWithLanguage:
      case TAG.nameWithLanguage: {
        if (raw.length < 4) bad(`${name}: a value with language is too short`);
        const langLength = raw.readUInt16BE(0);
        if (2 + langLength + 2 > raw.length) bad(`${name}: a value with language is cut short`);
        const textLength = raw.readUInt16BE(2 + langLength);
        if (4 + langLength + textLength !== raw.length) bad(`${name}: a value with language has the wrong length`);
        return { tag, value: raw.subarray(4 + langLength).toString('utf8') };
      }
      case TAG.octetString:
        return { tag, value: Buffer.from(raw) };
      case TAG.begCollection:
        return { tag, value: members(name, depth + 1) };
      default:
        if (tag >= 0x40 && tag <= 0x5f) return { tag, value: raw.toString(textual.has(tag) ? 'utf8' : 'latin1') };
        return bad(`${name}: value tag 0x${tag.toString(16)} is not one IPP defines`);
    }
  };

  /** One tagged value as it is framed: value-tag, name-length, name, value-length, value. */
  const framed = (): { tag: number; name: string; raw: Buffer } => {
    const tag = u8();
    if (tag === 0x7f) bad('extension value tags (0x7f) are not supported');
    const name = bytes(u16()).toString('latin1');
    const raw = bytes(u16());
    return { tag, name, raw };
  };

  const members = (owner: string, depth: number): IppAttribute[] => {
    if (depth > limits.maxDepth) throw new IppRequestError('client-error-request-entity-too-large', `${owner}: collections nested deeper than ${limits.maxDepth}`);
    const list: IppAttribute[] = [];
    let current: IppAttribute | undefined;
    for (;;) {
      need(1);
      const { tag, name, raw } = framed();
      if (name !== '') bad(`${owner}: a collection member must have an empty name`);
      if (tag === TAG.endCollection) return list;
      if (tag === TAG.memberAttrName) {
        count();
        current = { name: raw.toString('latin1'), values: [] };
        if (current.name === '') bad(`${owner}: a collection member without a name`);
        list.push(current);
        continue;
      }
      if (!current) bad(`${owner}: a collection value before its member name`);
      if (current!.values.length >= limits.maxValues) throw new IppRequestError('client-error-request-entity-too-large', `${owner}.${current!.name} has too many values`);
      current!.values.push(value(tag, raw, `${owner}.${current!.name}`, depth));
    }
  };

  try {
    need(8);
    const version: [number, number] = [u8(), u8()];
    const code = u16();
    const requestId = buffer.readInt32BE(at);
    at += 4;
    const groups: IppGroup[] = [];
    let group: IppGroup | undefined;
    let attribute: IppAttribute | undefined;
    for (;;) {
      need(1);
      const tag = buffer[at]!;
      if (tag === 0x03) {
        at += 1;
        return { message: { version, code, requestId, groups }, offset: at };
      }
      if (tag <= 0x0f) {
        at += 1;
        if (tag === 0x00) bad('attribute group tag 0x00 is reserved');
        group = { tag, attributes: [] };
        groups.push(group);
        attribute = undefined;
        continue;
      }
      if (!group) bad('an attribute before the first attribute group');
      const start = at;
      const { tag: valueTag, name, raw } = framed();
      if (name === '') {
        if (!attribute) bad('an additional value without an attribute');
        if (attribute!.values.length >= limits.maxValues) throw new IppRequestError('client-error-request-entity-too-large', `${attribute!.name} has more than ${limits.maxValues} values`);
      } else {
        count();
        attribute = { name, values: [] };
        group!.attributes.push(attribute);
      }
      if (valueTag === TAG.endCollection || valueTag === TAG.memberAttrName) {
        at = start;
        bad(`${attribute!.name}: a collection delimiter outside a collection`);
      }
      attribute!.values.push(value(valueTag, raw, attribute!.name, 0));
    }
  } catch (error) {
    if (error instanceof Incomplete) return null;
    throw error;
  }
}
