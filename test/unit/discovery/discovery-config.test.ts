import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load-config.js';

describe('discovery and device-root configuration', () => {
  it('mDNS is off by default; serial and USB are on; discovered printers join "discovered"', () => {
    const config = parseConfig({});
    expect(config.discovery).toEqual({ interfaces: [], group: 'discovered', serial: true, usb: true, probeSeconds: 30 });
    expect(config.devices).toEqual({ sysfsRoot: '/sys', devRoot: '/dev' });
  });

  it('takes interface names, also from PRINTGATE_DISCOVERY_INTERFACES as a comma list', () => {
    expect(parseConfig({ discovery: { interfaces: ['eth0', 'wlan0'] } }).discovery.interfaces).toEqual(['eth0', 'wlan0']);
    expect(parseConfig({}, { PRINTGATE_DISCOVERY_INTERFACES: 'eth0,wlan0' }).discovery.interfaces).toEqual(['eth0', 'wlan0']);
    expect(parseConfig({}, { PRINTGATE_DEVICES_SYSFS_ROOT: '/tmp/sys' }).devices.sysfsRoot).toBe('/tmp/sys');
  });

  it('refuses bad names, a repeated interface, the old discovery.mdns key and a bad group', () => {
    expect(() => parseConfig({ discovery: { interfaces: ['eth0; rm -rf /'] } })).toThrow(/interface name/);
    expect(() => parseConfig({ discovery: { interfaces: ['eth0', 'eth0'] } })).toThrow(/twice/);
    expect(() => parseConfig({ discovery: { mdns: true } })).toThrow(/mdns/);
    expect(() => parseConfig({ discovery: { group: 'Not A Group' } })).toThrow(/group/);
    expect(() => parseConfig({ discovery: { probeSeconds: 0 } })).toThrow(/probeSeconds/);
  });
});
