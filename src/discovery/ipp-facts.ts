import { cleanOrNull, cleanText } from './clean-text.js';
import type { IppState } from './device-info.js';

/** What Get-Printer-Attributes said, normalised: @sealsystems/ipp returns one value as a scalar and several as an array. */
export interface IppFacts extends IppState {
  uuid: string | null;
  makeAndModel: string | null;
  /** printer-device-id (IEEE 1284). */
  deviceId: string | null;
  name: string | null;
  info: string | null;
  location: string | null;
  moreInfo: string | null;
  /** printer-resolution-supported in dots per inch (the larger of x and y). */
  resolutionsDpi: number[];
}

const LIST_MAX = 64;
const STATES: Record<number, string> = { 3: 'idle', 4: 'processing', 5: 'stopped' };

function values(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function firstText(value: unknown, max = 255): string | null {
  for (const item of values(value)) {
    if (typeof item === 'string' || typeof item === 'number') return cleanOrNull(String(item), max);
  }
  return null;
}

function texts(value: unknown, max = LIST_MAX): string[] {
  const out: string[] = [];
  for (const item of values(value)) {
    if (out.length >= max) break;
    if (typeof item !== 'string' && typeof item !== 'number') continue;
    const text = cleanText(String(item), 128);
    if (text !== '' && !out.includes(text)) out.push(text);
  }
  return out;
}

/**
 * printer-resolution values: [600, 600, "dpi"] for one, [[300, 300, "dpi"], [600, 600, "dpi"]]
 * for several (also { x, y, units } objects, as some encoders give them). Dots per centimetre are
 * converted to dots per inch.
 */
function resolutions(value: unknown): { text: string; dpi: number }[] {
  const list = Array.isArray(value) && value.length === 3 && typeof value[0] === 'number' ? [value] : values(value);
  const out: { text: string; dpi: number }[] = [];
  for (const item of list.slice(0, LIST_MAX)) {
    let x: unknown;
    let y: unknown;
    let units: unknown;
    if (Array.isArray(item)) [x, y, units] = item;
    else if (item && typeof item === 'object') ({ x, y, units } = item as { x?: unknown; y?: unknown; units?: unknown });
    if (typeof x !== 'number' || typeof y !== 'number' || !Number.isFinite(x) || !Number.isFinite(y)) continue;
    const perCm = units === 'dots-per-cm' || units === 'dpcm' || units === 4;
    const dpi = Math.round(Math.max(x, y) * (perCm ? 2.54 : 1));
    const text = `${x}x${y}${perCm ? 'dpcm' : 'dpi'}`;
    if (!out.some((entry) => entry.text === text)) out.push({ text, dpi });
  }
  return out;
}

function state(value: unknown): string {
  const first = values(value)[0];
  if (typeof first === 'number') return STATES[first] ?? 'unknown';
  if (typeof first === 'string' && /^(idle|processing|stopped)$/.test(first)) return first;
  return 'unknown';
}

/** Normalises the printer-attributes group of a Get-Printer-Attributes response (anything unexpected becomes empty). */
export function ippFactsOf(attributes: Record<string, unknown>): IppFacts {
  const found = resolutions(attributes['printer-resolution-supported']);
  return {
    uuid: firstText(attributes['printer-uuid']),
    makeAndModel: firstText(attributes['printer-make-and-model']),
    deviceId: firstText(attributes['printer-device-id'], 1023),
    name: firstText(attributes['printer-name']),
    info: firstText(attributes['printer-info']),
    location: firstText(attributes['printer-location']),
    moreInfo: firstText(attributes['printer-more-info'], 1023),
    state: state(attributes['printer-state']),
    reasons: texts(attributes['printer-state-reasons'], 32).filter((reason) => reason !== 'none'),
    message: firstText(attributes['printer-state-message']),
    acceptingJobs: values(attributes['printer-is-accepting-jobs'])[0] !== false,
    formats: texts(attributes['document-format-supported']).map((format) => format.toLowerCase()),
    resolutions: found.map((entry) => entry.text),
    resolutionsDpi: found.map((entry) => entry.dpi),
    media: texts(attributes['media-supported'], 128),
  };
}

/** The attributes discovery asks for (a printer that honours requested-attributes sends only these). */
export const PROBE_ATTRIBUTES = [
  'printer-uuid',
  'printer-make-and-model',
  'printer-device-id',
  'printer-name',
  'printer-info',
  'printer-location',
  'printer-more-info',
  'printer-state',
  'printer-state-reasons',
  'printer-state-message',
  'printer-is-accepting-jobs',
  'document-format-supported',
  'printer-resolution-supported',
  'media-supported',
] as const;
