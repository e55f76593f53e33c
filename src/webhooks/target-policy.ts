import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { isIP } from 'node:net';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import { AppError } from '../errors/app-error.js';
import { AddressList, LINK_LOCAL_NETWORKS, LOOPBACK_NETWORKS, parseNetwork, PRIVATE_NETWORKS, unmapIpv4, UNROUTABLE_NETWORKS } from '../net/address-list.js';

export const ALLOW_KEY = 'webhooks.allowPrivateTargets';

/** Why a target address is refused (the `rule` of WEBHOOK_TARGET_REFUSED). */
export type TargetRule = 'loopback' | 'link-local' | 'private-lan' | 'own-address' | 'unroutable';

type Lookup = (hostname: string, options: { all: true }, callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

export interface WebhookTargetPolicyDeps {
  /** webhooks.allowPrivateTargets: CIDR networks, addresses or host names. */
  allowPrivateTargets: readonly string[];
  /** The box's own addresses (default: every interface address) and names (default: its host name). */
  ownAddresses?: readonly string[];
  ownNames?: readonly string[];
  /** DNS, for tests of rebinding (default: node's dns.lookup, what http.request uses). */
  lookup?: Lookup;
}

const RULES: readonly [TargetRule, AddressList][] = [
  ['loopback', new AddressList(LOOPBACK_NETWORKS)],
  ['link-local', new AddressList(LINK_LOCAL_NETWORKS)],
  ['unroutable', new AddressList(UNROUTABLE_NETWORKS)],
  ['private-lan', new AddressList(PRIVATE_NETWORKS)],
];

function interfaceAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((entries) => (entries ?? []).map((entry) => entry.address));
}

/** A URL host without IPv6 brackets, lower case, without a trailing dot. */
function bareHost(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '').toLowerCase();
}

/**
 * Where webhooks may go. A LAN POS receiver is normal but must be listed: loopback, link-local,
 * private-LAN and the box's own addresses are refused unless `webhooks.allowPrivateTargets` lists
 * the address (or a network holding it) or the host name. Checked when a target is created or
 * changed (names that are known to be local, and literal addresses), and again at delivery on
 * the addresses DNS returned, which are then the ones connected to (no rebinding in between).
 */
export class WebhookTargetPolicy {
  private readonly allowedNetworks: AddressList;
  private readonly allowedNames: Set<string>;
  private readonly own: AddressList;
  private readonly ownNames: Set<string>;
  private readonly resolve: Lookup;

  constructor(deps: WebhookTargetPolicyDeps) {
    const networks = deps.allowPrivateTargets.filter((entry) => parseNetwork(entry) !== null);
    this.allowedNetworks = new AddressList(networks);
    this.allowedNames = new Set(deps.allowPrivateTargets.filter((entry) => parseNetwork(entry) === null).map(bareHost));
    this.own = new AddressList((deps.ownAddresses ?? interfaceAddresses()).filter((address) => isIP(unmapIpv4(address)) !== 0));
    this.ownNames = new Set((deps.ownNames ?? [osHostname()]).map(bareHost));
    this.resolve = deps.lookup ?? (dnsLookup as unknown as Lookup);
  }

  /** The rule an address breaks, or null when webhooks may reach it. */
  ruleFor(address: string, hostname?: string): TargetRule | null {
    if (hostname !== undefined && this.allowedNames.has(bareHost(hostname))) return null;
    if (this.allowedNetworks.has(address)) return null;
    for (const [rule, list] of RULES) if (list.has(address)) return rule;
    return this.own.has(address) ? 'own-address' : null;
  }

  /** At create/change: refuses literal addresses and names that are local by definition. Throws WEBHOOK_TARGET_REFUSED. */
  checkUrl(url: string): void {
    let host: string;
    try {
      host = bareHost(new URL(url.replace(/\{[a-z_]+\}/g, 'x')).hostname);
    } catch {
      return; // the route's own validation names a malformed URL
    }
    if (this.allowedNames.has(host)) return;
    const local = host === 'localhost' || host.endsWith('.localhost') ? 'loopback' : this.ownNames.has(host) ? 'own-address' : null;
    const rule = local ?? (isIP(unmapIpv4(host)) !== 0 ? this.ruleFor(host) : null);
    if (rule !== null) throw refused(rule, host);
  }

  /**
   * The `lookup` for http.request at delivery: resolves the name, refuses it if any address it
   * has breaks a rule, and hands the checked addresses to the connection.
   */
  readonly lookup = (hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void): void => {
    this.resolve(hostname, { all: true }, (error, addresses) => {
      if (error) return callback(error);
      const bad = addresses.map((entry) => this.ruleFor(entry.address, hostname)).find((rule) => rule !== null);
      if (bad) return callback(refused(bad, hostname));
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }));
      callback(null, first.address, first.family);
    });
  };

  /** At delivery, for a URL whose host is a literal address (node skips lookup for those). */
  checkLiteralHost(host: string): void {
    const bare = bareHost(host);
    if (isIP(unmapIpv4(bare)) === 0) return;
    const rule = this.ruleFor(bare);
    if (rule !== null) throw refused(rule, bare);
  }
}

function refused(rule: TargetRule, host: string): AppError {
  return new AppError('WEBHOOK_TARGET_REFUSED', `webhook target "${host.slice(0, 100)}" is a ${rule} address: list it in ${ALLOW_KEY} to allow it`, {
    details: { field: 'Url', rule, configKey: ALLOW_KEY },
  });
}

/** The policy when nothing is configured: every private or own address refused. */
export function defaultTargetPolicy(): WebhookTargetPolicy {
  return new WebhookTargetPolicy({ allowPrivateTargets: [] });
}
