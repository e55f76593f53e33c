import os from 'node:os';
import type { DiscoveryLogger } from './discovery-logger.js';
import { MdnsAdvertiser } from './mdns-advertiser.js';

export interface GatewayAnnouncementDeps {
  /** discovery.interfaces; [] announces nothing. */
  interfaces: readonly string[];
  log: DiscoveryLogger;
  /** The HTTP port the API listens on (as bound). */
  port: number;
  version: string;
  /** Instance name (default "printgate on <hostname>"). */
  name?: string;
  hostname?: string;
}

export interface GatewayAnnouncement {
  /** The advertiser, for more services (the IPP server's printers) and for the browser's own-name filter. */
  advertiser: MdnsAdvertiser | null;
  /** Withdraws everything with a goodbye and closes the sockets. */
  stop(): Promise<void>;
}

/**
 * Announces the box as `_printgate._tcp` and `_http._tcp` on the configured interfaces, with TXT
 * path=/ (the HTTP root), version, api=star-v1 (the Star-compatible API at /v1/a), so POS apps
 * find the gateway without an address typed. Nothing is announced when no interface is configured.
 */
export async function announceGateway(deps: GatewayAnnouncementDeps): Promise<GatewayAnnouncement> {
  if (deps.interfaces.length === 0) return { advertiser: null, stop: async () => undefined };
  const advertiser = new MdnsAdvertiser({ interfaces: deps.interfaces, log: deps.log, ...(deps.hostname ? { hostname: deps.hostname } : {}) });
  await advertiser.start();
  const instance = deps.name ?? `printgate on ${os.hostname()}`;
  const txt = { path: '/', version: deps.version, api: 'star-v1' };
  await Promise.all(['_printgate._tcp', '_http._tcp'].map((type) => advertiser.publish({ instance, type, port: deps.port, txt })));
  return { advertiser, stop: () => advertiser.stop() };
}
