import type { DeviceInfo } from '../discovery/device-info.js';
import type { PrinterProfile } from '../driver-api/index.js';
import { resolveProfile, type ProfileLookup } from './printer-profile.js';
import type { DiscoveredPrinter } from './printer-registry.js';

/** Languages a discovered device may be driven in; pwg-raster and unknown are listed, not driven. */
const DRIVABLE = new Set(['escpos', 'starprnt', 'starline', 'zpl', 'pdf']);

/**
 * What the registry keeps of a device discovery found, or null when the gateway cannot drive it
 * (not a printer by class, or a language it does not speak yet): such devices are listed by
 * GET /api/v1/discovered with what they said, never guessed into a queue.
 */
export function discoveredPrinter(device: DeviceInfo, groupPath: string, profiles: ProfileLookup): DiscoveredPrinter | null {
  if (!device.isPrinter || !DRIVABLE.has(device.language)) return null;
  const profileId = device.profile !== 'unknown' && profiles(device.profile) ? device.profile : null;
  const profile: PrinterProfile = resolveProfile(
    { name: device.name, group: groupPath, uri: device.uri, language: device.language, ...(profileId ? { profile: profileId } : {}) },
    profiles,
  );
  const makeAndModel = [device.make, device.model].filter(Boolean).join(' ') || null;
  return {
    identity: device.identity,
    identityQuality: device.identityQuality,
    identityNote: device.identityNote,
    source: device.source,
    uri: device.uri,
    otherUris: device.otherUris,
    name: device.name,
    makeAndModel,
    language: device.language,
    profile,
    profileId,
    groupPath,
  };
}
