/**
 * What discovery reports about one device it found: the contract between src/discovery and the
 * printer registry. A DiscoveryService emits `found`, `updated` and `lost` with a DeviceInfo; the
 * registry merges them (same `identity` → one printer; a configured printer with the same
 * identity or URI wins; `lost` → the printer goes offline and keeps its queue and id).
 */

/** Which source saw the device: a DNS-SD service (`ipp` once Get-Printer-Attributes answered), a local port. */
export type DeviceSource = 'mdns' | 'ipp' | 'serial' | 'usb';

/**
 * How far the identity can be trusted, best first:
 * - `uuid`: IPP `printer-uuid` or DNS-SD TXT `UUID`. Survives reboots, address changes and renames.
 * - `serial`: USB vendor:product plus the device's serial number (USB iSerial or IEEE 1284 SN).
 *   Survives re-plugs into any port.
 * - `port`: the socket it is plugged into (USB bus port, serial device path) — a device without a
 *   serial number. The same device in another port is a new device; two devices swapped swap
 *   identities. `identityNote` says so.
 * - `name`: the DNS-SD instance name, for raw printers that publish no UUID. Survives an address
 *   change (DHCP), but not a rename on the printer; two printers that both claim one name were
 *   renamed "(2)" by mDNS conflict resolution, so which is which can change after a power cycle.
 */
export type IdentityQuality = 'uuid' | 'serial' | 'port' | 'name';

/** A printgate language name, `pwg-raster` (an IPP printer that only takes raster, no printgate language yet), or unknown. */
export type DiscoveredLanguage = 'escpos' | 'starprnt' | 'starline' | 'zpl' | 'pdf' | 'pwg-raster' | 'unknown';

/** One fact that decided an aspect of the device: `{ aspect: 'profile', by: 'USB 04b8:0202' }`. */
export interface IdentifiedBy {
  aspect: 'identity' | 'profile' | 'language';
  /** The fact in words, as the device said it (bounded): `TXT UUID`, `IEEE 1284 MDL:TM-T88V`, `IPP document-format-supported`. */
  by: string;
}

/** The IPP printer's own view, when Get-Printer-Attributes answered. */
export interface IppState {
  /** idle | processing | stopped | unknown */
  state: string;
  /** printer-state-reasons as sent, "none" removed (media-empty-error, ...). */
  reasons: string[];
  message: string | null;
  acceptingJobs: boolean;
  /** document-format-supported (bounded). */
  formats: string[];
  /** printer-resolution-supported as "600x600dpi" (bounded). */
  resolutions: string[];
  /** media-supported (bounded). */
  media: string[];
}

export interface DeviceInfo {
  /**
   * The stable key: `uuid:<lower-case uuid>`, `usb:<vid>:<pid>:<serial>`,
   * `serial:<vid>:<pid>:<serial>`, `usb-port:<vid>:<pid>@<bus port>`, `serial-port:<path>`,
   * `mdns:<instance name, lower-case>`. The same device keeps it across restarts of the gateway.
   */
  identity: string;
  identityQuality: IdentityQuality;
  /** What the identity means for this device, in a sentence (shown in the API). */
  identityNote: string;
  source: DeviceSource;
  /** The device URI to print with (ipp://10.0.0.8:631/ipp/print, socket://10.0.0.7:9100, usb:04b8:0202/SERIAL, serial:/dev/serial/by-id/…). */
  uri: string;
  /** Other URIs the same device answers at (ipps://…, socket://… of the same printer). */
  otherUris: string[];
  /** What to call it: the DNS-SD instance name, the USB product string, … (cleaned, bounded). */
  name: string;
  make: string | null;
  model: string | null;
  /** The language to print in, chosen from what the device said it takes; `unknown` when it did not say. */
  language: DiscoveredLanguage;
  /** The media type to send in that language (IPP document-format), when known. */
  documentFormat: string | null;
  /** The id of the printer family in drivers/profiles whose `match` data fits, else `unknown` (never guessed). */
  profile: string;
  /** When several profiles fit equally (StarPRNT vs Star Line of one model), their ids; `profile` is then `unknown`. */
  profileCandidates: string[];
  /**
   * True for a device that is a printer by class (USB printer class, a printer DNS-SD type); false
   * for a serial port whose adapter matched no profile: it may be a scale or a modem.
   */
  isPrinter: boolean;
  identifiedBy: IdentifiedBy[];
  /** What the device said about itself: TXT keys, IEEE 1284 fields, IPP attributes, USB strings (cleaned, at most 48 entries of 255 characters). */
  said: Record<string, string>;
  /** The IPP printer's state and capabilities, when it answered. */
  ipp: IppState | null;
  /** Why the IPP probe failed, when it did (the device is still reported from what mDNS said). */
  ippError: string | null;
  /** The network interface it was seen on (mDNS), else null. */
  interface: string | null;
  /** When this report was made: the device was found, or something it said changed (ISO 8601). */
  changedAt: string;
}

/** Why a device was reported lost. */
export type LostReason = 'goodbye' | 'expired' | 'unplugged';

export interface DiscoveryEvents {
  found: [device: DeviceInfo];
  updated: [device: DeviceInfo, previous: DeviceInfo];
  lost: [device: DeviceInfo, reason: LostReason];
}
