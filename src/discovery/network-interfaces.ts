import os from 'node:os';

/** An interface mDNS speaks on: its name and the IPv4 address and netmask it has now. */
export interface MdnsInterface {
  name: string;
  address: string;
  netmask: string;
}

export type NetworkInterfacesFn = () => NodeJS.Dict<os.NetworkInterfaceInfo[]>;

/** The IPv4 address of each named interface that has one now (an interface without one is absent). */
export function resolveInterfaces(names: readonly string[], read: NetworkInterfacesFn = os.networkInterfaces): MdnsInterface[] {
  const all = read();
  return names.flatMap((name) => {
    const v4 = (all[name] ?? []).find((info) => info.family === 'IPv4');
    return v4 ? [{ name, address: v4.address, netmask: v4.netmask }] : [];
  });
}

function ipv4ToNumber(address: string): number | null {
  const parts = address.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    const byte = Number(part);
    if (!/^\d{1,3}$/.test(part) || byte > 255) return null;
    value = value * 256 + byte;
  }
  return value;
}

/**
 * True when `address` is on the interface's subnet: how a packet is attributed to the interface
 * it arrived on (every socket bound to 0.0.0.0:5353 also receives what other interfaces joined).
 */
export function onSubnet(address: string, iface: MdnsInterface): boolean {
  const host = ipv4ToNumber(address.replace(/^::ffff:/, ''));
  const own = ipv4ToNumber(iface.address);
  const mask = ipv4ToNumber(iface.netmask);
  if (host === null || own === null || mask === null) return false;
  // Unsigned 32-bit AND without bitwise operators' sign trouble.
  const masked = (value: number): number => Number((BigInt(value) & BigInt(mask)).toString());
  return masked(host) === masked(own);
}

/**
 * An address a printer may have: never loopback, unspecified or multicast, so that a responder
 * cannot point the gateway's probes at the gateway itself.
 */
export function isHostAddress(address: string): boolean {
  return !/^(127\.|0\.|22[4-9]\.|2[3-5]\d\.)|^(::1?|ff[0-9a-f]{2}:.*)$/i.test(address);
}
