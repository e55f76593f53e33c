import type { Config } from '../config/schema.js';
import type { PrinterProfile } from '../driver-api/language.js';
import type { TransportContext, TransportFactory } from '../driver-api/transport.js';
import type { DiscoveryLogger } from './discovery-logger.js';
import { DiscoveryService, type LocalSource } from './discovery-service.js';
import { ippAttributesClient, type GetPrinterAttributes } from './ipp-attributes-client.js';
import { MdnsBrowser } from './mdns-browser.js';

/** What discovery needs from drivers/, handed in by the composition root. */
export interface DiscoveryParts {
  /** The transport factories; those of scheme usb and serial with a `list` are the local sources. */
  transports: readonly TransportFactory[];
  profiles: readonly PrinterProfile[];
  /** Get-Printer-Attributes; default: discovery's own bounded client. */
  ipp?: GetPrinterAttributes;
}

export interface CreateDiscoveryDeps {
  config: Readonly<Config>;
  log: DiscoveryLogger & { child?(bindings: object): DiscoveryLogger };
  parts: DiscoveryParts;
  clock?: { now(): Date };
  /** The box's own service names (MdnsAdvertiser.ownNames), never reported as printers. */
  isOwnService?: (serviceKey: string) => boolean;
  localPollMs?: number;
}

/** The transport context local listing runs with: the device roots of config devices.*. */
export function listingContext(config: Readonly<Config>, log: DiscoveryLogger): TransportContext {
  return {
    log,
    connectTimeoutMs: config.jobs.connectTimeoutMs,
    confirmTimeoutMs: config.jobs.confirmTimeoutMs,
    stallMs: config.jobs.stallSeconds * 1000,
    sysfsRoot: config.devices.sysfsRoot,
    devRoot: config.devices.devRoot,
  };
}

/** Builds a DiscoveryService from the config and the driver parts (not started). */
export function createDiscovery(deps: CreateDiscoveryDeps): DiscoveryService {
  const { config, parts } = deps;
  const log = deps.log.child?.({ component: 'discovery' }) ?? deps.log;
  const context = listingContext(config, log);
  const local: LocalSource[] = parts.transports.flatMap((factory) =>
    (['usb', 'serial'] as const)
      .filter((scheme) => factory.schemes.includes(scheme) && factory.list)
      .map((scheme): LocalSource => ({ source: scheme, list: () => (factory.list as NonNullable<TransportFactory['list']>)(context) })),
  );
  return new DiscoveryService({
    config,
    log,
    ...(deps.clock ? { clock: deps.clock } : {}),
    sources: {
      mdns: (listener) => new MdnsBrowser({ interfaces: config.discovery.interfaces, log, listener }),
      local,
      ipp: parts.ipp ?? ippAttributesClient(),
    },
    profiles: parts.profiles,
    ...(deps.isOwnService ? { isOwnService: deps.isOwnService } : {}),
    ...(deps.localPollMs !== undefined ? { localPollMs: deps.localPollMs } : {}),
  });
}
