import type { PrinterProfile } from '../driver-api/index.js';
import { resolveProfile, type ProfileLookup } from '../printers/printer-profile.js';
import type { CloudPrntDeviceInfo } from './cloudprnt-store.js';

export type RuntimeLanguage = 'starprnt' | 'starline';

/** The Star family an auto-created CloudPRNT printer starts from (80 mm, 576 dots, cutter, drawer, buzzer). */
const BASE_PROFILE: Readonly<Record<RuntimeLanguage, string>> = {
  starprnt: 'star-mcprint3-starprnt',
  starline: 'star-mcprint3-line',
};

/** StarPRNT, unless the printer said it takes Star Line and not StarPRNT (HI01X interfaces). */
export function runtimeLanguage(info: CloudPrntDeviceInfo): RuntimeLanguage {
  const accepts = info.encodings;
  return accepts && !accepts.includes('application/vnd.star.starprnt') && accepts.includes('application/vnd.star.line') ? 'starline' : 'starprnt';
}

/** The profile of an auto-created CloudPRNT printer: a Star family, at the widths its PageInfo reported. */
export function runtimeProfile(info: CloudPrntDeviceInfo, language: RuntimeLanguage, lookup: ProfileLookup): PrinterProfile {
  const profile = resolveProfile(
    {
      name: info.mac,
      group: info.groupPath,
      uri: `cloudprnt:${info.mac}`,
      language,
      profile: BASE_PROFILE[language],
      ...(info.paperWidthMM !== null ? { paperWidthMM: info.paperWidthMM } : {}),
      ...(info.printWidthMM !== null ? { printableWidthMM: info.printWidthMM } : {}),
      ...(info.dotsPerMM !== null ? { dotsPerMM: info.dotsPerMM } : {}),
    },
    lookup,
  );
  return Object.freeze({ ...profile, ...(info.clientType !== null ? { name: info.clientType } : {}) });
}
