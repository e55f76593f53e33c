import { BlockList, isIP } from 'node:net';

/**
 * A list of networks (CIDR, or single addresses) that an address can be checked against, built on
 * node's own BlockList. IPv4-mapped IPv6 addresses (`::ffff:10.0.0.7`, what a dual-stack socket
 * reports) are checked as the IPv4 address they carry.
 */
export class AddressList {
  private readonly list = new BlockList();
  /**
   * Answers by address as written: BlockList.check builds a native SocketAddress per call (~30 µs
   * here, on every request's Host and peer), while a shop's LAN has a handful of addresses. The
   * list never changes after construction; the memo is cleared when it would grow past its bound.
   */
  private readonly answers = new Map<string, boolean>();
  readonly entries: readonly string[];

  /** Throws a message naming the entry when one is neither an address nor a CIDR network. */
  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const parsed = parseNetwork(entry);
      if (!parsed) throw new Error(`"${entry}" is not an IP address or a CIDR network (e.g. 192.168.1.0/24, fd00::/8)`);
      this.list.addSubnet(parsed.address, parsed.prefix, parsed.family);
    }
    this.entries = [...entries];
  }

  has(address: string): boolean {
    const known = this.answers.get(address);
    if (known !== undefined) return known;
    const plain = unmapIpv4(address);
    const family = isIP(plain);
    const answer = family !== 0 && this.list.check(plain, family === 4 ? 'ipv4' : 'ipv6');
    if (this.answers.size >= MEMO_ADDRESSES) this.answers.clear();
    this.answers.set(address, answer);
    return answer;
  }
}

const MEMO_ADDRESSES = 1024;

/** `::ffff:1.2.3.4` → `1.2.3.4`; anything else unchanged (zone ids dropped). */
export function unmapIpv4(address: string): string {
  const bare = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  return mapped ? mapped[1]! : bare;
}

export function parseNetwork(entry: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [rawAddress, rawPrefix, extra] = entry.trim().split('/');
  if (rawAddress === undefined || extra !== undefined) return null;
  const address = unmapIpv4(rawAddress);
  const family = isIP(address);
  if (family === 0) return null;
  const max = family === 4 ? 32 : 128;
  const prefix = rawPrefix === undefined ? max : /^\d{1,3}$/.test(rawPrefix) ? Number(rawPrefix) : Number.NaN;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return null;
  return { address, prefix, family: family === 4 ? 'ipv4' : 'ipv6' };
}

/** Is every entry an address or a CIDR network? (for zod refinements) */
export function isNetworkList(entries: readonly string[]): boolean {
  return entries.every((entry) => parseNetwork(entry) !== null);
}

/** Loopback: 127.0.0.0/8, ::1. */
export const LOOPBACK_NETWORKS = ['127.0.0.0/8', '::1/128'] as const;
/** Private LAN ranges: RFC 1918, RFC 6598 shared space, IPv6 unique-local. */
export const PRIVATE_NETWORKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'] as const;
/** Link-local: 169.254.0.0/16 (also cloud metadata services), fe80::/10. */
export const LINK_LOCAL_NETWORKS = ['169.254.0.0/16', 'fe80::/10'] as const;
/** Addresses that are never a real peer: "this network", multicast, reserved, broadcast, unspecified. */
export const UNROUTABLE_NETWORKS = ['0.0.0.0/8', '224.0.0.0/4', '240.0.0.0/4', '::/128', 'ff00::/8'] as const;
