import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { createDiscovery, type CreateDiscoveryDeps } from '../discovery/create-discovery.js';
import type { DeviceInfo } from '../discovery/device-info.js';
import { announceGateway } from '../discovery/gateway-announcement.js';
import type { PrinterProfile } from '../driver-api/index.js';
import type { DevicesService } from '../printers/devices-service.js';
import { discoveredPrinter } from '../printers/discovered-device.js';
import type { Lifecycle } from './lifecycle.js';

export interface StartDiscoveryDeps {
  config: Readonly<Config>;
  log: Logger;
  parts: CreateDiscoveryDeps['parts'];
  devices: Pick<DevicesService, 'discovered' | 'lost'>;
  profileOf: (id: string) => PrinterProfile | undefined;
  /** The gateway's HTTP port as bound (what the box announces). */
  port: number;
  version: string;
}

/**
 * The box announces itself on discovery.interfaces (none: mDNS off), then discovery starts:
 * devices found or updated become printers of discovery.group, lost ones go stopped/offline.
 * Returns what the HTTP API lists as discovered.
 */
export async function startDiscovery(deps: StartDiscoveryDeps, lifecycle: Lifecycle): Promise<{ devices(): DeviceInfo[] }> {
  const { config, log, devices } = deps;
  const announcement = await lifecycle.start('mdns announcement', () => announceGateway({ interfaces: config.discovery.interfaces, log, port: deps.port, version: deps.version }), (a) => a.stop());
  const discovery = createDiscovery({
    config,
    log,
    parts: deps.parts,
    isOwnService: (key) => announcement.advertiser?.ownNames().includes(key) ?? false,
  });
  const onDevice = (device: DeviceInfo): void => {
    const known = discoveredPrinter(device, config.discovery.group, deps.profileOf);
    if (known) void devices.discovered(known).catch((error: unknown) => log.error({ err: error, identity: device.identity }, 'discovered printer not added'));
  };
  discovery.on('found', onDevice);
  discovery.on('updated', onDevice);
  discovery.on('lost', (device, reason) => devices.lost(device.identity, reason));
  await lifecycle.start('discovery', () => discovery.start(), () => discovery.stop());
  return discovery;
}
