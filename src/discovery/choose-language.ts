import type { DiscoveredLanguage, IdentifiedBy } from './device-info.js';

const FORMAT_LANGUAGE: Readonly<Record<string, DiscoveredLanguage>> = {
  'application/vnd.escpos': 'escpos',
  'application/vnd.epson.escpos': 'escpos',
  'application/vnd.zebra-zpl': 'zpl',
  'application/vnd.zebra.zpl': 'zpl',
  'application/vnd.star.starprnt': 'starprnt',
  'application/vnd.star.line': 'starline',
  'application/pdf': 'pdf',
  'image/pwg-raster': 'pwg-raster',
};

const COMMAND_SET_LANGUAGE: Readonly<Record<string, DiscoveredLanguage>> = {
  'ESC/POS': 'escpos',
  ESCPOS: 'escpos',
  ZPL: 'zpl',
  ZPL2: 'zpl',
  ZPLII: 'zpl',
  STARPRNT: 'starprnt',
  PDF: 'pdf',
  PWGRASTER: 'pwg-raster',
  PWG: 'pwg-raster',
};

/** The media type printgate's own language renders (what a raw or USB printer is sent). */
export const LANGUAGE_FORMAT: Readonly<Record<Exclude<DiscoveredLanguage, 'unknown'>, string>> = {
  escpos: 'application/vnd.escpos',
  zpl: 'application/vnd.zebra.zpl',
  starprnt: 'application/vnd.star.starprnt',
  starline: 'application/vnd.star.line',
  pdf: 'application/pdf',
  'pwg-raster': 'image/pwg-raster',
};

/** Best first: the printer's own command language (printgate renders it exactly to the paper width), then PDF, then raster. */
const PREFERENCE: readonly DiscoveredLanguage[] = ['escpos', 'zpl', 'starprnt', 'starline', 'pdf', 'pwg-raster'];

export interface LanguageFacts {
  /** Media types the device said it takes (IPP document-format-supported, TXT pdl). */
  formats: readonly string[];
  /** Where `formats` came from, for identifiedBy: `IPP document-format-supported`, `TXT pdl`. */
  formatsFrom: string;
  /** IEEE 1284 CMD command sets, upper-case. */
  commandSets: readonly string[];
  /** The matched profile's language, when one matched. */
  profileLanguage?: string | undefined;
}

export interface LanguageChoice {
  language: DiscoveredLanguage;
  documentFormat: string | null;
  by: IdentifiedBy[];
}

function byPreference(languages: Iterable<DiscoveredLanguage>): DiscoveredLanguage[] {
  const set = new Set(languages);
  return PREFERENCE.filter((language) => set.has(language));
}

/** The languages a device said it takes, best first (empty when it did not say, or takes anything raw). */
export function statedLanguages(facts: Pick<LanguageFacts, 'formats' | 'commandSets'>): DiscoveredLanguage[] {
  const formats = facts.formats.map((format) => format.toLowerCase());
  if (formats.includes('application/octet-stream')) return [];
  return byPreference([
    ...formats.flatMap((format) => (FORMAT_LANGUAGE[format] ? [FORMAT_LANGUAGE[format]] : [])),
    ...facts.commandSets.flatMap((set) => (COMMAND_SET_LANGUAGE[set] ? [COMMAND_SET_LANGUAGE[set]] : [])),
  ]);
}

/**
 * Chooses the language from what the device said: a format it lists (the matched profile's
 * language when it is among them, else the best by preference), else its IEEE 1284 command sets,
 * else the profile's language; `unknown` when nothing says — never a default.
 */
export function chooseLanguage(facts: LanguageFacts): LanguageChoice {
  const formats = facts.formats.map((format) => format.toLowerCase());
  const listed = new Map<DiscoveredLanguage, string>();
  for (const format of formats) {
    const language = FORMAT_LANGUAGE[format];
    if (language && !listed.has(language)) listed.set(language, format);
  }
  const profile = facts.profileLanguage as DiscoveredLanguage | undefined;
  const renders = profile !== undefined && profile in LANGUAGE_FORMAT;
  if (profile && listed.has(profile)) {
    return { language: profile, documentFormat: listed.get(profile) ?? null, by: [{ aspect: 'language', by: `${facts.formatsFrom} ${listed.get(profile)}` }] };
  }
  if (renders && formats.includes('application/octet-stream')) {
    return {
      language: profile,
      documentFormat: 'application/octet-stream',
      by: [{ aspect: 'language', by: `profile language, passed through as ${facts.formatsFrom} application/octet-stream` }],
    };
  }
  const fromFormats = byPreference(listed.keys());
  const first = fromFormats[0];
  if (first) return { language: first, documentFormat: listed.get(first) ?? null, by: [{ aspect: 'language', by: `${facts.formatsFrom} ${listed.get(first)}` }] };
  const fromCommands = byPreference(facts.commandSets.flatMap((set) => (COMMAND_SET_LANGUAGE[set] ? [COMMAND_SET_LANGUAGE[set]] : [])));
  if (fromCommands.length > 0) {
    const language = profile && fromCommands.includes(profile) ? profile : (fromCommands[0] as DiscoveredLanguage);
    return { language, documentFormat: LANGUAGE_FORMAT[language as Exclude<DiscoveredLanguage, 'unknown'>], by: [{ aspect: 'language', by: `IEEE 1284 CMD ${facts.commandSets.join(',')}` }] };
  }
  if (renders) {
    return { language: profile, documentFormat: LANGUAGE_FORMAT[profile as Exclude<DiscoveredLanguage, 'unknown'>], by: [{ aspect: 'language', by: 'profile language' }] };
  }
  return { language: 'unknown', documentFormat: null, by: [] };
}
