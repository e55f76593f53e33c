import type { ListedDevice } from '../driver-api/transport.js';
import { cleanText } from './clean-text.js';
import type { IdentifiedBy, IdentityQuality } from './device-info.js';

export interface DeviceIdentity {
  key: string;
  quality: IdentityQuality;
  note: string;
  by: IdentifiedBy[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A UUID as lower-case text without `urn:uuid:`, or null when the value is not a UUID. */
export function normaliseUuid(value: string | null | undefined): string | null {
  if (!value) return null;
  const bare = value.trim().toLowerCase().replace(/^urn:uuid:/, '');
  return UUID.test(bare) ? bare : null;
}

/** Serial numbers as keys: printable, no separators that would make two keys collide. */
function keyPart(value: string): string {
  return cleanText(value, 64).replace(/[\s:@/]+/g, '_');
}

/**
 * A network printer's identity: its UUID (TXT `UUID` first — every service of one printer carries
 * it and it is known before any probe — else IPP `printer-uuid`), else its DNS-SD instance name.
 */
export function networkIdentity(facts: { txtUuid?: string | undefined; ippUuid?: string | null | undefined; instance: string }): DeviceIdentity {
  const fromTxt = normaliseUuid(facts.txtUuid);
  const uuid = fromTxt ?? normaliseUuid(facts.ippUuid);
  if (uuid) {
    return {
      key: `uuid:${uuid}`,
      quality: 'uuid',
      note: 'identified by the UUID the printer announces: it keeps this identity across address changes and renames',
      by: [{ aspect: 'identity', by: fromTxt ? 'TXT UUID' : 'IPP printer-uuid' }],
    };
  }
  const name = cleanText(facts.instance, 63).toLowerCase();
  return {
    key: `mdns:${name}`,
    quality: 'name',
    note: `no UUID: identified by its mDNS name "${cleanText(facts.instance, 63)}"; it keeps this identity when its address changes, not when it is renamed`,
    by: [{ aspect: 'identity', by: 'mDNS instance name' }],
  };
}

/** A USB printer-class device: VID:PID and serial number, else the bus port it is plugged into. */
export function usbIdentity(device: ListedDevice): DeviceIdentity {
  const ids = `${device.vendorId ?? '0000'}:${device.productId ?? '0000'}`;
  if (device.serial) {
    return {
      key: `usb:${ids}:${keyPart(device.serial)}`,
      quality: 'serial',
      note: 'identified by USB vendor, product and serial number: it keeps this identity in any USB port',
      by: [{ aspect: 'identity', by: device.serialSource === 'ieee1284' ? `USB ${ids} + IEEE 1284 SN` : `USB ${ids} + serial number` }],
    };
  }
  const port = keyPart(device.location ?? device.path);
  return {
    key: `usb-port:${ids}@${port}`,
    quality: 'port',
    note: `no serial number: identified by USB port ${port}; plugged into another port it is a new printer`,
    by: [{ aspect: 'identity', by: `USB ${ids} at port ${port}` }],
  };
}

/** A USB-serial adapter: VID:PID and serial number, else the device path (last resort, and it says so). */
export function serialIdentity(device: ListedDevice): DeviceIdentity {
  const ids = `${device.vendorId ?? '0000'}:${device.productId ?? '0000'}`;
  if (device.serial) {
    return {
      key: `serial:${ids}:${keyPart(device.serial)}`,
      quality: 'serial',
      note: 'identified by the USB-serial adapter\'s vendor, product and serial number: it keeps this identity in any port',
      by: [{ aspect: 'identity', by: `USB ${ids} + serial number` }],
    };
  }
  return {
    key: `serial-port:${device.path}`,
    quality: 'port',
    note: `the adapter has no serial number: identified by its port ${device.path}, which can change when adapters are re-plugged`,
    by: [{ aspect: 'identity', by: `port path ${device.path}` }],
  };
}
