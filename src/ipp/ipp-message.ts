import { TAG } from './ipp-constants.js';

/** rangeOfInteger */
export interface IppRange {
  lower: number;
  upper: number;
}

/** resolution: units 3 = dots per inch, 4 = dots per centimetre. */
export interface IppResolution {
  x: number;
  y: number;
  units: 3 | 4;
}

/** A value with its own tag (a 1setOf may mix keyword and name, integer and rangeOfInteger). */
export type IppValue =
  | { tag: number; value: number }
  | { tag: typeof TAG.boolean; value: boolean }
  | { tag: number; value: string }
  | { tag: typeof TAG.octetString; value: Buffer }
  | { tag: typeof TAG.dateTime; value: Date }
  | { tag: typeof TAG.resolution; value: IppResolution }
  | { tag: typeof TAG.rangeOfInteger; value: IppRange }
  | { tag: typeof TAG.begCollection; value: IppAttribute[] }
  /** Out-of-band (no-value, unknown, unsupported): no value. */
  | { tag: number; value: null };

export interface IppAttribute {
  name: string;
  values: IppValue[];
}

export interface IppGroup {
  tag: number;
  attributes: IppAttribute[];
}

export interface IppMessage {
  /** [major, minor] */
  version: [number, number];
  /** operation-id in a request, status-code in a response. */
  code: number;
  requestId: number;
  groups: IppGroup[];
}

// Builders for responses: one attribute, each value with the tag its syntax names.
const one =
  <T>(tag: number) =>
  (name: string, ...values: T[]): IppAttribute => ({ name, values: values.map((value) => ({ tag, value }) as IppValue) });

export const keyword = one<string>(TAG.keyword);
export const text = one<string>(TAG.textWithoutLanguage);
export const nameValue = one<string>(TAG.nameWithoutLanguage);
export const uri = one<string>(TAG.uri);
export const uriScheme = one<string>(TAG.uriScheme);
export const charset = one<string>(TAG.charset);
export const language = one<string>(TAG.naturalLanguage);
export const mimeType = one<string>(TAG.mimeMediaType);
export const integer = one<number>(TAG.integer);
export const enumValue = one<number>(TAG.enum);
export const boolean = one<boolean>(TAG.boolean);
export const dateTime = one<Date>(TAG.dateTime);
export const range = one<IppRange>(TAG.rangeOfInteger);
export const resolution = one<IppResolution>(TAG.resolution);
export const collection = one<IppAttribute[]>(TAG.begCollection);
export const octets = (name: string, ...values: string[]): IppAttribute => ({
  name,
  values: values.map((value) => ({ tag: TAG.octetString, value: Buffer.from(value, 'utf8') })),
});
export const outOfBand = (name: string, tag: number): IppAttribute => ({ name, values: [{ tag, value: null }] });

/** The attribute of that name in a group, if any. */
export function findAttribute(group: IppGroup | undefined, name: string): IppAttribute | undefined {
  return group?.attributes.find((attribute) => attribute.name === name);
}
