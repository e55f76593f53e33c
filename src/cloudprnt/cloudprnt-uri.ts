/**
 * CloudPRNT printers are named by their MAC address: `cloudprnt:00:11:62:1d:9a:b7` (also written
 * `cloudprnt://00:11:62:1d:9a:b7`, `cloudprnt://00-11-62-1d-9a-b7` or `cloudprnt:0011621d9ab7`).
 */

const MAC = /^([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})[:-]?([0-9a-f]{2})$/i;

/** A MAC address in the form printers report it (`00:11:62:1d:9a:b7`, lower case), or null. */
export function normalizeMac(value: string): string | null {
  const match = MAC.exec(value.trim());
  return match ? match.slice(1, 7).join(':').toLowerCase() : null;
}

/** The MAC of a `cloudprnt:` device URI, or null for another scheme or a malformed address. */
export function macFromUri(uri: string): string | null {
  const match = /^cloudprnt:(?:\/\/)?([^/?#]+)\/?$/i.exec(uri.trim());
  return match?.[1] ? normalizeMac(decodeURIComponent(match[1])) : null;
}

/** The device URI an auto-created CloudPRNT printer gets. */
export function cloudPrntUri(mac: string): string {
  return `cloudprnt:${mac}`;
}

/**
 * Parses a device URI. WHATWG URL parsing rejects `cloudprnt://00:11:…` (the colons read as a
 * port), so CloudPRNT URIs are given in their opaque form `cloudprnt:<mac>`.
 */
export function parseDeviceUri(uri: string): URL {
  const mac = macFromUri(uri);
  return new URL(mac ? cloudPrntUri(mac) : uri);
}
