import type { PrinterProfile } from '../driver-api/language.js';
import type { IdentifiedBy } from './device-info.js';
import type { Ieee1284Id } from './ieee1284-id.js';

/** What a device said that profiles can be matched on. */
export interface MatchFacts {
  usb?: { vendorId: string; productId: string } | undefined;
  ieee1284?: Ieee1284Id | undefined;
  /** Model names it gave and where from: `{ from: 'TXT ty', value: 'EPSON TM-T88V' }`. */
  names: readonly { from: string; value: string }[];
  /** Languages the device said it takes (from formats, pdl or CMD); a profile speaking another is never chosen. */
  languages: readonly string[];
  /** Resolutions it supports, in dots per inch. */
  resolutionsDpi: readonly number[];
}

export interface ProfileMatch {
  /** The profile id, or `unknown` when none fits or several fit equally. */
  profile: string;
  /** The equally good candidates when the match is ambiguous. */
  candidates: string[];
  by: IdentifiedBy[];
}

/** Below this score a profile is not chosen: a vendor id alone (`0a5f:*`) is not enough. */
const MIN_SCORE = 30;

/** A profile's `match.usb` entry against vvvv:pppp: exact ids, or `vvvv:*` for any product of a vendor. */
function usbScore(entry: string, usb: NonNullable<MatchFacts['usb']>): number {
  const [vendor, product] = entry.toLowerCase().split(':');
  if (vendor !== usb.vendorId.toLowerCase()) return 0;
  if (product === '*') return 20;
  return product === usb.productId.toLowerCase() ? 100 : 0;
}

/**
 * A profile's `match.ieee1284` entry ("MFG:EPSON;CMD:ESC/POS;MDL:TM-T88") against the device id:
 * every field it names must agree — MFG and MDL as a prefix of the device's, each CMD among the
 * device's command sets (case-insensitive).
 */
function ieee1284Score(entry: string, id: Ieee1284Id): number {
  let fields = 0;
  for (const part of entry.split(';')) {
    const colon = part.indexOf(':');
    if (colon <= 0) continue;
    const key = part.slice(0, colon).trim().toUpperCase();
    const wanted = part.slice(colon + 1).trim().toUpperCase();
    const have = (id.fields[key] ?? '').toUpperCase();
    // MFG and MDL by prefix ("Zebra" names "Zebra Technologies", "TM-T88" names "TM-T88V"); CMD by set.
    const ok = key === 'CMD' ? wanted.split(',').every((set) => id.commandSets.includes(set.trim())) : wanted !== '' && have.startsWith(wanted);
    if (!ok) return 0;
    fields += 1;
  }
  return fields === 0 ? 0 : 30 + 15 * fields;
}

/** A `match.mdns` entry ("TM-T88") found in a name at the start of a word; longer entries are more specific. */
function nameScore(entry: string, value: string): number {
  const index = value.toUpperCase().indexOf(entry.toUpperCase());
  if (index < 0) return 0;
  const before = index === 0 ? '' : value.charAt(index - 1);
  return /[A-Za-z0-9]/.test(before) ? 0 : 50 + entry.length;
}

interface Scored {
  profile: PrinterProfile;
  score: number;
  by: IdentifiedBy[];
}

function scoreProfile(profile: PrinterProfile, facts: MatchFacts): Scored {
  const by: IdentifiedBy[] = [];
  let score = 0;
  const match = profile.match ?? {};
  if (facts.usb) {
    const usb = facts.usb;
    const best = Math.max(0, ...(match.usb ?? []).map((entry) => usbScore(entry, usb)));
    if (best > 0) by.push({ aspect: 'profile', by: `USB ${usb.vendorId}:${usb.productId}` });
    score += best;
  }
  if (facts.ieee1284) {
    const id = facts.ieee1284;
    const hits = (match.ieee1284 ?? []).map((entry) => [entry, ieee1284Score(entry, id)] as const).filter(([, s]) => s > 0);
    const best = hits.sort((a, b) => b[1] - a[1])[0];
    if (best) {
      by.push({ aspect: 'profile', by: `IEEE 1284 ${best[0]}` });
      score += best[1];
    }
  }
  let bestName: { score: number; from: string; value: string } | null = null;
  for (const entry of match.mdns ?? []) {
    for (const name of facts.names) {
      const s = nameScore(entry, name.value);
      if (s > (bestName?.score ?? 0)) bestName = { score: s, from: name.from, value: name.value };
    }
  }
  if (bestName) {
    by.push({ aspect: 'profile', by: `${bestName.from} "${bestName.value}"` });
    score += bestName.score;
  }
  // USB ids alone do not choose a family the device's own model name contradicts (Epson's
  // 04b8:0202 is shared by many TM models): a named model must match one of the profile's names.
  const onlyUsb = by.length > 0 && by.every((entry) => entry.by.startsWith('USB '));
  const profileNamesModels = (match.mdns ?? []).length > 0 || (match.ieee1284 ?? []).some((entry) => /(^|;)\s*MDL:/i.test(entry));
  if (onlyUsb && facts.names.length > 0 && profileNamesModels) return { profile, score: 0, by: [] };
  if (score > 0 && facts.resolutionsDpi.some((dpi) => Math.abs(dpi - profile.dotsPerMM * 25.4) <= 0.05 * dpi)) {
    by.push({ aspect: 'profile', by: `resolution ${Math.round(profile.dotsPerMM * 25.4)} dpi` });
    score += 10;
  }
  return { profile, score, by };
}

/**
 * Chooses the printer family by data: each profile's `match` lists (USB ids, IEEE 1284 fields,
 * model names from TXT `ty`/`product`/`usb_MDL`, IPP make and model) are scored against what the
 * device said, and the best wins. A profile whose language the device does not take is never
 * chosen; a tie between profiles is reported as unknown with the candidates — never guessed.
 */
export function matchProfile(facts: MatchFacts, profiles: readonly PrinterProfile[]): ProfileMatch {
  const scored = profiles
    .filter((profile) => facts.languages.length === 0 || profile.language === undefined || facts.languages.includes(profile.language))
    .map((profile) => scoreProfile(profile, facts))
    .filter((entry) => entry.score >= MIN_SCORE)
    .sort((a, b) => b.score - a.score);
  const best = scored[0];
  if (!best) return { profile: 'unknown', candidates: [], by: [] };
  const tied = scored.filter((entry) => entry.score === best.score);
  if (tied.length > 1) return { profile: 'unknown', candidates: tied.map((entry) => entry.profile.id), by: best.by };
  return { profile: best.profile.id, candidates: [], by: best.by };
}
