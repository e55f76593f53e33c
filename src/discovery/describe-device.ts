import type { PrinterProfile } from '../driver-api/language.js';
import { chooseLanguage, LANGUAGE_FORMAT, statedLanguages } from './choose-language.js';
import { cleanOrNull, cleanText } from './clean-text.js';
import type { DeviceIdentity } from './device-identity.js';
import type { DeviceInfo, IdentifiedBy } from './device-info.js';
import type { Ieee1284Id } from './ieee1284-id.js';
import { matchProfile } from './profile-matcher.js';

/** Entries of `said` at most, each value at most 255 characters. */
export const SAID_MAX_ENTRIES = 48;

/** Everything a source learnt about one device, before profile and language are chosen. */
export interface DeviceFacts extends Pick<DeviceInfo, 'source' | 'uri' | 'otherUris' | 'name' | 'make' | 'model' | 'said' | 'ipp' | 'ippError' | 'interface'> {
  identity: DeviceIdentity;
  usb?: { vendorId: string; productId: string } | undefined;
  ieee1284?: Ieee1284Id | undefined;
  /** Model names to match profiles on, with where each came from. */
  names: { from: string; value: string }[];
  formats: string[];
  formatsFrom: string;
  resolutionsDpi: number[];
  isPrinterByClass: boolean;
}

/** Adds entries to a `said` map until it is full (values cleaned, 255 characters at most). */
export function addSaid(said: Record<string, string>, entries: Iterable<[string, string | true | null | undefined]>): void {
  for (const [key, value] of entries) {
    if (Object.keys(said).length >= SAID_MAX_ENTRIES) return;
    if (value === null || value === undefined || key in said) continue;
    said[cleanText(key, 64)] = value === true ? 'true' : cleanText(value, 255);
  }
}

/** "EPSON TM-T88V" → make EPSON, model TM-T88V when the make is known; else the whole as model. */
export function splitMakeAndModel(makeAndModel: string | null, make: string | null): { make: string | null; model: string | null } {
  if (!makeAndModel) return { make, model: null };
  if (make && makeAndModel.toLowerCase().startsWith(`${make.toLowerCase()} `)) return { make, model: cleanOrNull(makeAndModel.slice(make.length)) };
  return { make, model: makeAndModel };
}

/** Chooses profile and language from the facts and assembles the DeviceInfo. */
export function describeDevice(facts: DeviceFacts, profiles: readonly PrinterProfile[], now: Date): DeviceInfo {
  const commandSets = facts.ieee1284?.commandSets ?? [];
  const languages = statedLanguages({ formats: facts.formats, commandSets });
  const match = matchProfile(
    { usb: facts.usb, ieee1284: facts.ieee1284, names: facts.names, languages, resolutionsDpi: facts.resolutionsDpi },
    profiles,
  );
  const profile = match.profile === 'unknown' ? undefined : profiles.find((candidate) => candidate.id === match.profile);
  // Candidates that agree on the language still tell the language, though not the family.
  const candidateLanguages = new Set(match.candidates.map((id) => profiles.find((candidate) => candidate.id === id)?.language));
  const profileLanguage = profile?.language ?? (candidateLanguages.size === 1 ? [...candidateLanguages][0] : undefined);
  const language = chooseLanguage({ formats: facts.formats, formatsFrom: facts.formatsFrom, commandSets, profileLanguage });
  const documentFormat =
    language.documentFormat ?? (language.language !== 'unknown' ? LANGUAGE_FORMAT[language.language] : null);
  const identifiedBy: IdentifiedBy[] = [...facts.identity.by, ...match.by, ...language.by];
  return {
    identity: facts.identity.key,
    identityQuality: facts.identity.quality,
    identityNote: facts.identity.note,
    source: facts.source,
    uri: facts.uri,
    otherUris: facts.otherUris,
    name: facts.name,
    make: facts.make,
    model: facts.model,
    language: language.language,
    documentFormat,
    profile: match.profile,
    profileCandidates: match.candidates,
    isPrinter: facts.isPrinterByClass || match.profile !== 'unknown',
    identifiedBy,
    said: facts.said,
    ipp: facts.ipp,
    ippError: facts.ippError,
    interface: facts.interface,
    changedAt: now.toISOString(),
  };
}

/** Two reports of a device differ in something other than when they were made. */
export function deviceChanged(a: DeviceInfo, b: DeviceInfo): boolean {
  return JSON.stringify({ ...a, changedAt: '' }) !== JSON.stringify({ ...b, changedAt: '' });
}
