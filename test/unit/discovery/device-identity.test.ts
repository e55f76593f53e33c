import { describe, expect, it } from 'vitest';
import { networkIdentity, normaliseUuid, serialIdentity, usbIdentity } from '../../../src/discovery/device-identity.js';

describe('device identity', () => {
  it('a UUID is the best identity, from TXT first, then IPP printer-uuid; urn:uuid: and case do not matter', () => {
    expect(normaliseUuid('urn:uuid:D8277F28-1415-3757-5E71-A9528C215C0C')).toBe('d8277f28-1415-3757-5e71-a9528c215c0c');
    expect(normaliseUuid('not-a-uuid')).toBeNull();
    const txt = networkIdentity({ txtUuid: '6F1C2F00-0000-4000-8000-00000000AA01', ippUuid: 'urn:uuid:11111111-1111-1111-1111-111111111111', instance: 'X' });
    expect(txt).toMatchObject({ key: 'uuid:6f1c2f00-0000-4000-8000-00000000aa01', quality: 'uuid', by: [{ aspect: 'identity', by: 'TXT UUID' }] });
    expect(networkIdentity({ ippUuid: 'urn:uuid:11111111-1111-1111-1111-111111111111', instance: 'X' }).by[0]?.by).toBe('IPP printer-uuid');
  });

  it('without a UUID the mDNS instance name is a weak identity, and says what that means', () => {
    const weak = networkIdentity({ txtUuid: 'garbage', instance: 'Kitchen Printer' });
    expect(weak).toMatchObject({ key: 'mdns:kitchen printer', quality: 'name' });
    expect(weak.note).toMatch(/address changes.*not when it is renamed/);
  });

  it('USB: VID:PID and serial survive a re-plug; without a serial the port is the identity and says so', () => {
    const base = { scheme: 'usb', vendorId: '04b8', productId: '0202' };
    const lp0 = usbIdentity({ ...base, uri: 'usb:04b8:0202/J6XF', path: '/dev/usb/lp0', serial: 'J6XF', location: '1-1' });
    const lp2 = usbIdentity({ ...base, uri: 'usb:04b8:0202/J6XF', path: '/dev/usb/lp2', serial: 'J6XF', location: '1-4' });
    expect(lp0.key).toBe('usb:04b8:0202:J6XF');
    expect(lp2.key).toBe(lp0.key);
    const portBound = usbIdentity({ ...base, uri: 'usb:04b8:0202', path: '/dev/usb/lp1', location: '1-2' });
    expect(portBound).toMatchObject({ key: 'usb-port:04b8:0202@1-2', quality: 'port' });
    expect(portBound.note).toMatch(/no serial number.*another port it is a new printer/);
  });

  it('serial adapters: serial number, else the port path as last resort', () => {
    const withSerial = serialIdentity({ scheme: 'serial', uri: 'serial:/dev/ttyUSB0', path: '/dev/ttyUSB0', vendorId: '0403', productId: '6001', serial: 'A50285BI' });
    expect(withSerial).toMatchObject({ key: 'serial:0403:6001:A50285BI', quality: 'serial' });
    expect(serialIdentity({ scheme: 'serial', uri: 'serial:/dev/ttyUSB1', path: '/dev/ttyUSB1', vendorId: '1a86', productId: '7523' })).toMatchObject({
      key: 'serial-port:/dev/ttyUSB1',
      quality: 'port',
    });
  });
});
