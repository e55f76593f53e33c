import { OUT_OF_BAND_TAGS, TAG } from './ipp-constants.js';
import type { IppAttribute, IppMessage, IppValue } from './ipp-message.js';

const MAX_FIELD = 0xffff;

/** Pieces of the message, joined once at the end. */
class Writer {
  readonly parts: Buffer[] = [];

  u8(value: number): void {
    this.parts.push(Buffer.of(value & 0xff));
  }

  u16(value: number): void {
    const buffer = Buffer.alloc(2);
    buffer.writeUInt16BE(value);
    this.parts.push(buffer);
  }

  field(bytes: Buffer): void {
    if (bytes.length > MAX_FIELD) throw new Error(`an IPP value of ${bytes.length} bytes does not fit in 65535`);
    this.u16(bytes.length);
    this.parts.push(bytes);
  }
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  buffer.writeInt32BE(value);
  return buffer;
}

/** RFC 2579 DateAndTime in UTC (11 bytes). */
function dateBytes(date: Date): Buffer {
  const buffer = Buffer.alloc(11);
  buffer.writeUInt16BE(date.getUTCFullYear(), 0);
  buffer[2] = date.getUTCMonth() + 1;
  buffer[3] = date.getUTCDate();
  buffer[4] = date.getUTCHours();
  buffer[5] = date.getUTCMinutes();
  buffer[6] = date.getUTCSeconds();
  buffer[7] = Math.floor(date.getUTCMilliseconds() / 100);
  buffer[8] = 0x2b; // '+'
  return buffer;
}

function valueBytes(value: IppValue, writer: Writer, name: string): Buffer | null {
  if (OUT_OF_BAND_TAGS.has(value.tag)) return Buffer.alloc(0);
  const v = value.value;
  switch (value.tag) {
    case TAG.integer:
    case TAG.enum:
      return int32(v as number);
    case TAG.boolean:
      return Buffer.of(v ? 1 : 0);
    case TAG.rangeOfInteger: {
      const r = v as { lower: number; upper: number };
      return Buffer.concat([int32(r.lower), int32(r.upper)]);
    }
    case TAG.resolution: {
      const r = v as { x: number; y: number; units: number };
      return Buffer.concat([int32(r.x), int32(r.y), Buffer.of(r.units)]);
    }
    case TAG.dateTime:
      return dateBytes(v as Date);
    case TAG.octetString:
      return v as Buffer;
    case TAG.begCollection:
      return null;
    default:
      if (typeof v !== 'string') throw new Error(`${name}: tag 0x${value.tag.toString(16)} needs a string value`);
      return Buffer.from(v, 'utf8');
  }
}

function writeCollection(members: IppAttribute[], writer: Writer): void {
  for (const member of members) {
    writer.u8(TAG.memberAttrName);
    writer.field(Buffer.alloc(0));
    writer.field(Buffer.from(member.name, 'latin1'));
    for (const value of member.values) writeValue(value, writer, '', member.name);
  }
  writer.u8(TAG.endCollection);
  writer.field(Buffer.alloc(0));
  writer.field(Buffer.alloc(0));
}

function writeValue(value: IppValue, writer: Writer, name: string, label: string): void {
  writer.u8(value.tag);
  writer.field(Buffer.from(name, 'latin1'));
  const bytes = valueBytes(value, writer, label);
  if (bytes === null) {
    writer.field(Buffer.alloc(0));
    writeCollection(value.value as IppAttribute[], writer);
  } else {
    writer.field(bytes);
  }
}

/** Encodes an IPP message (RFC 8010 §3): the groups in order, each attribute's values with their own tags. */
export function encodeIpp(message: IppMessage): Buffer {
  const writer = new Writer();
  writer.u8(message.version[0]);
  writer.u8(message.version[1]);
  writer.u16(message.code);
  writer.parts.push(int32(message.requestId));
  for (const group of message.groups) {
    writer.u8(group.tag);
    for (const attribute of group.attributes) {
      attribute.values.forEach((value, index) => writeValue(value, writer, index === 0 ? attribute.name : '', attribute.name));
    }
  }
  writer.u8(0x03);
  return Buffer.concat(writer.parts);
}
