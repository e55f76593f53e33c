import type { PrinterProfile } from '../../src/driver-api/index.js';
import { ESCPOS_PROFILES } from './escpos-profiles.js';
import { STAR_PROFILES } from './star-profiles.js';
import { ZEBRA_PROFILES } from './zebra-profiles.js';

/** Every printer family printgate knows, as data. Ids are what `printers[].profile` names in the config. */
export const PROFILES: readonly PrinterProfile[] = Object.freeze(
  [...ESCPOS_PROFILES, ...STAR_PROFILES, ...ZEBRA_PROFILES].map((profile) => Object.freeze(profile)),
);

/** The profile with this id (case-insensitive), or undefined. */
export function findProfile(id: string): PrinterProfile | undefined {
  const wanted = id.toLowerCase();
  return PROFILES.find((profile) => profile.id === wanted);
}
