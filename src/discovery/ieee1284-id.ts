import { cleanOrNull } from './clean-text.js';

/** The fields of an IEEE 1284 device id ("MFG:EPSON;CMD:ESC/POS;MDL:TM-T88V;CLS:PRINTER;"). */
export interface Ieee1284Id {
  manufacturer: string | null;
  model: string | null;
  /** The command sets (CMD, comma-separated in the id), upper-case. */
  commandSets: string[];
  description: string | null;
  serial: string | null;
  /** Every field by upper-case key, values cleaned (bounded). */
  fields: Record<string, string>;
}

const MAX_ID_CHARS = 1024;
const MAX_FIELDS = 32;
const ALIASES: Record<string, string> = {
  MANUFACTURER: 'MFG',
  MODEL: 'MDL',
  'COMMAND SET': 'CMD',
  COMMANDSET: 'CMD',
  CLASS: 'CLS',
  DESCRIPTION: 'DES',
  SERN: 'SN',
  SERIALNUMBER: 'SN',
};

/** Parses an IEEE 1284 device id; unknown text gives empty fields, never an error. */
export function parseIeee1284Id(id: string | null | undefined): Ieee1284Id {
  const fields: Record<string, string> = {};
  for (const part of (id ?? '').slice(0, MAX_ID_CHARS).split(';')) {
    const colon = part.indexOf(':');
    if (colon <= 0) continue;
    const rawKey = part.slice(0, colon).trim().toUpperCase();
    const key = ALIASES[rawKey] ?? rawKey;
    const value = cleanOrNull(part.slice(colon + 1));
    if (!/^[A-Z0-9 _-]{1,32}$/.test(key) || value === null || key in fields) continue;
    if (Object.keys(fields).length >= MAX_FIELDS) break;
    fields[key] = value;
  }
  return {
    manufacturer: fields.MFG ?? null,
    model: fields.MDL ?? null,
    commandSets: (fields.CMD ?? '')
      .split(',')
      .map((item) => item.trim().toUpperCase())
      .filter((item) => item !== ''),
    description: fields.DES ?? null,
    serial: fields.SN ?? null,
    fields,
  };
}
