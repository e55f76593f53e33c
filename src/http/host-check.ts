import { isIP } from 'node:net';
import { AddressList, LOOPBACK_NETWORKS, parseNetwork } from '../net/address-list.js';
import { boxNames as defaultBoxNames } from '../tls/tls-certificate.js';

export interface HostCheckOptions {
  /** server.allowedHosts: names, *.suffix, addresses, CIDR networks; "*" = any Host. */
  allowedHosts: readonly string[];
  /** More names the box answers to (server.tls.hostnames). */
  extraNames?: readonly string[];
  /** The box's own names and addresses (host name, <host>.local, localhost, interface addresses). */
  boxNames?: () => string[];
  nowMs?: () => number;
}

/** The box's names are read again this often (DHCP, a renamed host), and at most once a second on a miss. */
const REFRESH_MS = 10_000;
const MISS_REFRESH_MS = 1_000;

/**
 * The host of a Host header value: `name`, `name:port`, `1.2.3.4:port`, `[v6]:port`; lower case,
 * without a trailing dot. Null when it is none of these (a bare IPv6 address, spaces, a path).
 */
export function hostOf(header: string): string | null {
  const value = header.trim().toLowerCase();
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/.exec(value);
  if (bracketed) return isIP(bracketed[1]!) === 6 ? bracketed[1]! : null;
  const plain = /^([a-z0-9_.-]+)(?::\d{1,5})?$/.exec(value);
  if (!plain) return null;
  const host = plain[1]!.replace(/\.$/, '');
  return host === '' ? null : host;
}

/**
 * Which Host headers the gateway answers (DNS rebinding: a page whose name was re-pointed at the
 * box must not read it). By default: the box's host name, `<host>.local` and any `*.local` name,
 * `localhost` and `*.localhost`, its interface addresses and every loopback address — names a
 * remote attacker's DNS cannot hand out — plus `server.allowedHosts` and `server.tls.hostnames`.
 */
export class HostCheck {
  private readonly any: boolean;
  private readonly names: Set<string>;
  private readonly suffixes: string[];
  private readonly networks: AddressList;
  private box: { names: Set<string>; addresses: AddressList } = { names: new Set(), addresses: new AddressList([]) };
  private readAt = Number.NEGATIVE_INFINITY;
  private readonly nowMs: () => number;
  private readonly boxNames: () => string[];

  constructor(options: HostCheckOptions) {
    const entries = [...options.allowedHosts, ...(options.extraNames ?? [])].map((entry) => entry.trim().toLowerCase().replace(/\.$/, ''));
    this.any = entries.includes('*');
    this.suffixes = ['.local', '.localhost', ...entries.filter((entry) => entry.startsWith('*.')).map((entry) => entry.slice(1))];
    this.names = new Set(['localhost', ...entries.filter((entry) => !entry.startsWith('*') && parseNetwork(entry) === null)]);
    this.networks = new AddressList([...LOOPBACK_NETWORKS, ...entries.filter((entry) => parseNetwork(entry) !== null)]);
    this.nowMs = options.nowMs ?? Date.now;
    this.boxNames = options.boxNames ?? defaultBoxNames;
  }

  /** True when a request with this Host header is for this gateway. */
  allows(header: string): boolean {
    if (this.any) return true;
    const host = hostOf(header);
    if (host === null) return false;
    if (this.matchesStatic(host)) return true;
    const age = this.nowMs() - this.readAt;
    if (age > REFRESH_MS) this.readBox();
    if (this.matchesBox(host)) return true;
    if (age > MISS_REFRESH_MS && age <= REFRESH_MS) {
      this.readBox();
      return this.matchesBox(host);
    }
    return false;
  }

  private matchesStatic(host: string): boolean {
    if (isIP(host) !== 0) return this.networks.has(host);
    return this.names.has(host) || this.suffixes.some((suffix) => host.endsWith(suffix) && host.length > suffix.length);
  }

  private matchesBox(host: string): boolean {
    return isIP(host) !== 0 ? this.box.addresses.has(host) : this.box.names.has(host);
  }

  private readBox(): void {
    this.readAt = this.nowMs();
    const entries = this.boxNames().map((entry) => entry.toLowerCase());
    this.box = {
      names: new Set(entries.filter((entry) => isIP(entry) === 0)),
      addresses: new AddressList(entries.filter((entry) => isIP(entry) !== 0 && parseNetwork(entry) !== null)),
    };
  }
}
