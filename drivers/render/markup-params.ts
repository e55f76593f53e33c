import type { PrinterProfile } from '../../src/driver-api/index.js';
import type { MarkupParam } from './markup-parser.js';

/** The value of the first parameter with one of these names. */
export function param(params: MarkupParam[], ...names: string[]): string | undefined {
  return params.find((p) => names.includes(p.name))?.value;
}

export function clampInt(value: string | undefined, min: number, max: number, fallback: number): number {
  const number = value === undefined ? Number.NaN : Number.parseInt(value, 10);
  return Number.isFinite(number) ? Math.min(max, Math.max(min, number)) : fallback;
}

/** `120` (dots), `30mm`, `60%` (of the printable width) → dots. */
export function sizeInDots(value: string | undefined, profile: PrinterProfile, full: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(mm|%|dots?)?$/i.exec(value.trim());
  if (!match) return undefined;
  const number = Number.parseFloat(match[1]!);
  const unit = (match[2] ?? '').toLowerCase();
  const dots = unit === 'mm' ? number * profile.dotsPerMM : unit === '%' ? (number / 100) * full : number;
  return Math.max(1, Math.round(dots));
}
