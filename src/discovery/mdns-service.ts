import type { CacheLimits } from './mdns-cache.js';
import type { TxtLimits, TxtRecord } from './txt-record.js';

/** The printer service types browsed. `_printer._tcp` (LPD) with port 0 is a placeholder and ignored. */
export const BROWSE_TYPES = ['_ipp._tcp', '_ipps._tcp', '_pdl-datastream._tcp', '_printer._tcp'] as const;
export type BrowseType = (typeof BROWSE_TYPES)[number];

/** A resolved DNS-SD service instance, as seen on one interface. */
export interface MdnsService {
  interface: string;
  type: BrowseType;
  /** The instance name, cleaned for display ("Acme Office 500"). */
  instance: string;
  /** Lower-case full name, the key (acme office 500._ipp._tcp.local). */
  key: string;
  host: string;
  port: number;
  /** IPv4 and IPv6 addresses of the host, newest first. */
  addresses: string[];
  /** `answer`: from A/AAAA records; `referer`: the responder's source address, as no address record came. */
  addressFrom: 'answer' | 'referer';
  txt: TxtRecord;
  txtProblems: string[];
}

export interface BrowserListener {
  up(service: MdnsService): void;
  update(service: MdnsService, previous: MdnsService): void;
  down(service: MdnsService, reason: 'goodbye' | 'expired'): void;
}

export interface BrowserLimits {
  /** Service instances tracked per interface at most; more are ignored (logged once). */
  maxServices: number;
  /** Service instances one responder address may hold, so one host cannot crowd out the rest. */
  maxPerResponder: number;
  cache: CacheLimits;
  txt: TxtLimits;
  /** The PTR query back-off: first delay, doubling up to the cap. */
  queryFirstMs: number;
  queryMaxMs: number;
}

export const BROWSER_LIMITS: BrowserLimits = {
  maxServices: 256,
  maxPerResponder: 64,
  cache: { maxRecords: 4096, maxPerSet: 16, maxTtlSeconds: 7200 },
  txt: { maxBytes: 2048, maxKeys: 64, maxValueChars: 255 },
  queryFirstMs: 1000,
  queryMaxMs: 60_000,
};

export const fqdnOf = (type: BrowseType): string => `${type}.local`;
