import { describe, expect, it } from 'vitest';
import { AddressList } from '../../../src/net/address-list.js';

describe('AddressList', () => {
  const lan = new AddressList(['192.168.1.0/24', '10.0.0.7', 'fd00::/8']);

  it('checks addresses, IPv4-mapped IPv6 as the IPv4 it carries, and refuses what is not an address', () => {
    expect(lan.has('192.168.1.20')).toBe(true);
    expect(lan.has('::ffff:192.168.1.20')).toBe(true);
    expect(lan.has('192.168.2.20')).toBe(false);
    expect(lan.has('10.0.0.7')).toBe(true);
    expect(lan.has('10.0.0.8')).toBe(false);
    expect(lan.has('fd12::1')).toBe(true);
    expect(lan.has('fe80::1%eth0')).toBe(false);
    expect(lan.has('printer.local')).toBe(false);
  });

  it('gives the same answers when asked again, past the bound of its memo too', () => {
    const asked = Array.from({ length: 3000 }, (_, i) => `192.168.${i % 4}.${i % 250}`);
    const first = asked.map((address) => lan.has(address));
    expect(first.filter(Boolean).length).toBe(asked.filter((address) => address.startsWith('192.168.1.')).length);
    expect(asked.map((address) => lan.has(address))).toEqual(first);
    expect(lan.has('192.168.1.20')).toBe(true);
    expect(lan.has('192.168.2.20')).toBe(false);
  });

  it('refuses an entry that is not a network, naming it', () => {
    expect(() => new AddressList(['192.168.1.0/33'])).toThrow(/"192.168.1.0\/33" is not an IP address or a CIDR network/);
  });
});
