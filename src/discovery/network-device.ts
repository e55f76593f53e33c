import { cleanOrNull } from './clean-text.js';
import type { DeviceIdentity } from './device-identity.js';
import { addSaid, splitMakeAndModel, type DeviceFacts } from './describe-device.js';
import { parseIeee1284Id } from './ieee1284-id.js';
import type { IppFacts } from './ipp-facts.js';
import type { BrowseType, MdnsService } from './mdns-service.js';
import { txtValue } from './txt-record.js';

/** Which service of a printer to print through, best first (printgate has no LPD transport: `_printer._tcp` is last). */
const PREFERENCE: readonly BrowseType[] = ['_ipp._tcp', '_ipps._tcp', '_pdl-datastream._tcp', '_printer._tcp'];

/** The address to put in a URI: IPv4 first, then a global IPv6 address; link-local IPv6 needs a zone a URI cannot carry. */
export function usableAddress(service: MdnsService): string | null {
  const v4 = service.addresses.find((address) => /^\d+\.\d+\.\d+\.\d+$/.test(address));
  if (v4) return v4;
  const v6 = service.addresses.find((address) => address.includes(':') && !/^fe[89ab]/i.test(address));
  return v6 ? `[${v6}]` : null;
}

function resourcePath(service: MdnsService): string {
  const rp = txtValue(service.txt, 'rp');
  // IPP Everywhere's rp has no leading slash; a printer that omits it almost always serves ipp/print.
  return (rp ?? (service.type === '_printer._tcp' ? '' : 'ipp/print')).replace(/^\/+/, '').replace(/[^A-Za-z0-9._~!$&'()*+,;=:@/%-]/g, encodeURIComponent);
}

/** The device URI a service is printed through, or null when it has no usable address. */
export function serviceUri(service: MdnsService): string | null {
  const address = usableAddress(service);
  if (!address) return null;
  const at = `${address}:${service.port}`;
  switch (service.type) {
    case '_ipp._tcp':
      return `ipp://${at}/${resourcePath(service)}`;
    case '_ipps._tcp':
      // Found by address, a printer's certificate can never name it (and is mostly self-signed).
      return `ipps://${at}/${resourcePath(service)}?insecure=1`;
    case '_pdl-datastream._tcp':
      return `socket://${at}`;
    case '_printer._tcp':
      return `lpd://${at}/${resourcePath(service)}`;
  }
}

/** The services of one printer, the one to print through first. */
export function byPreference(services: readonly MdnsService[]): MdnsService[] {
  return [...services].sort((a, b) => PREFERENCE.indexOf(a.type) - PREFERENCE.indexOf(b.type));
}

/** Facts of a network printer from its DNS-SD services (all of one identity) and, when it answered, its IPP attributes. */
export function networkDeviceFacts(
  identity: DeviceIdentity,
  services: readonly MdnsService[],
  ipp: IppFacts | null,
  ippError: string | null,
): DeviceFacts | null {
  const ordered = byPreference(services).filter((service) => serviceUri(service) !== null);
  const main = ordered[0];
  if (!main) return null;
  const txt = main.txt;
  // The IPP printer-device-id first; a raw printer's TXT usb_CMD fills in its command sets.
  const usbCmd = txtValue(txt, 'usb_cmd');
  const deviceId = parseIeee1284Id([ipp?.deviceId, usbCmd ? `CMD:${usbCmd}` : null].filter(Boolean).join(';'));
  const make = deviceId.manufacturer ?? cleanOrNull(txtValue(txt, 'usb_mfg'));
  const makeAndModel = ipp?.makeAndModel ?? cleanOrNull(txtValue(txt, 'ty')) ?? cleanOrNull(txtValue(txt, 'product')?.replace(/^\((.*)\)$/, '$1'));
  const model = deviceId.model ?? cleanOrNull(txtValue(txt, 'usb_mdl')) ?? splitMakeAndModel(makeAndModel, make).model;
  const names: DeviceFacts['names'] = [];
  const name = (from: string, value: string | null | undefined): void => {
    const cleaned = cleanOrNull(value);
    if (cleaned) names.push({ from, value: cleaned });
  };
  name('IPP printer-make-and-model', ipp?.makeAndModel);
  name('IEEE 1284 MDL', deviceId.model);
  name('TXT ty', txtValue(txt, 'ty'));
  name('TXT product', txtValue(txt, 'product')?.replace(/^\((.*)\)$/, '$1'));
  name('TXT usb_MDL', txtValue(txt, 'usb_mdl'));
  const pdl = (txtValue(txt, 'pdl') ?? '').split(',').map((format) => format.trim()).filter((format) => format !== '');
  const said: Record<string, string> = {};
  addSaid(said, [
    ['mdns.instance', main.instance],
    ['mdns.type', main.type],
    ['mdns.host', main.host],
    ...Object.entries(txt).map(([key, value]): [string, string | true] => [`txt.${key}`, value]),
  ]);
  if (ipp) {
    addSaid(said, [
      ['ipp.printer-uuid', ipp.uuid],
      ['ipp.printer-make-and-model', ipp.makeAndModel],
      ['ipp.printer-device-id', ipp.deviceId],
      ['ipp.printer-name', ipp.name],
      ['ipp.printer-info', ipp.info],
      ['ipp.printer-location', ipp.location],
      ['ipp.document-format-supported', ipp.formats.join(',')],
      ['ipp.printer-resolution-supported', ipp.resolutions.join(',')],
    ]);
  }
  const uris = ordered.map((service) => serviceUri(service) as string);
  return {
    identity,
    source: ipp ? 'ipp' : 'mdns',
    uri: uris[0] as string,
    otherUris: [...new Set(uris.slice(1))],
    name: main.instance,
    make,
    model,
    ieee1284: deviceId.commandSets.length > 0 || deviceId.manufacturer || deviceId.model ? deviceId : undefined,
    names,
    formats: ipp && ipp.formats.length > 0 ? ipp.formats : pdl,
    formatsFrom: ipp && ipp.formats.length > 0 ? 'IPP document-format-supported' : 'TXT pdl',
    resolutionsDpi: ipp?.resolutionsDpi ?? [],
    isPrinterByClass: true,
    said,
    ipp: ipp
      ? { state: ipp.state, reasons: ipp.reasons, message: ipp.message, acceptingJobs: ipp.acceptingJobs, formats: ipp.formats, resolutions: ipp.resolutions, media: ipp.media }
      : null,
    ippError,
    interface: main.interface,
  };
}
