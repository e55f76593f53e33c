import { EventEmitter } from 'node:events';
import type { Config } from '../config/schema.js';
import type { PrinterProfile } from '../driver-api/language.js';
import type { ListedDevice } from '../driver-api/transport.js';
import { deviceChanged, describeDevice } from './describe-device.js';
import { LogOnce, type DiscoveryLogger } from './discovery-logger.js';
import type { DeviceInfo, DiscoveryEvents, LostReason } from './device-info.js';
import type { GetPrinterAttributes } from './ipp-attributes-client.js';
import { IppProber } from './ipp-prober.js';
import { localDeviceFacts } from './local-device.js';
import type { BrowserListener, MdnsService } from './mdns-service.js';
import { NetworkDevices } from './network-devices.js';

/** A running mDNS browser (MdnsBrowser), built around the service's listener. */
export interface MdnsSourceLike {
  start(): void;
  stop(): Promise<void>;
}

/** A local transport scheme that lists its devices (the usb and serial transports' `list`). */
export interface LocalSource {
  source: 'usb' | 'serial';
  list(): Promise<ListedDevice[]>;
}

export interface DiscoveryServiceDeps {
  config: { discovery: Pick<Config['discovery'], 'interfaces' | 'serial' | 'usb' | 'probeSeconds'> };
  log: DiscoveryLogger;
  clock?: { now(): Date };
  sources: {
    /** Builds the mDNS browser; only used when discovery.interfaces names any. */
    mdns?: (listener: BrowserListener) => MdnsSourceLike;
    local: readonly LocalSource[];
    /** Get-Printer-Attributes for IPP services found. */
    ipp: GetPrinterAttributes;
  };
  /** The printer families, as data (drivers/profiles). */
  profiles: readonly PrinterProfile[];
  /** True for the box's own services (its advertiser's names): never reported as printers. */
  isOwnService?: (serviceKey: string) => boolean;
  /** How often local ports are listed again, to see plugs and unplugs (default 3 s). */
  localPollMs?: number;
}

type Kind = 'network' | 'usb' | 'serial';

/**
 * Finds printers: DNS-SD services on the configured interfaces (probed by IPP where they speak it),
 * USB printer-class devices and USB-serial adapters. Emits `found`, `updated` and `lost` with a
 * DeviceInfo keyed by its identity; `devices()` is the current list. Bounded throughout: the mDNS
 * layer caps services, the prober caps probes in flight, every report is cleaned and capped.
 */
export class DiscoveryService extends EventEmitter<DiscoveryEvents> {
  private readonly current: Record<Kind, Map<string, DeviceInfo>> = { network: new Map(), usb: new Map(), serial: new Map() };
  private readonly network: NetworkDevices;
  private readonly prober: IppProber;
  private readonly logOnce: LogOnce;
  private mdns: MdnsSourceLike | null = null;
  private localTimer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private running = false;
  /** Per network device, the signature it was last built from. */
  private signatures = new Map<string, string>();

  constructor(private readonly deps: DiscoveryServiceDeps) {
    super();
    this.logOnce = new LogOnce(deps.log);
    this.prober = new IppProber({
      get: deps.sources.ipp,
      log: deps.log,
      intervalMs: deps.config.discovery.probeSeconds * 1000,
      onResult: () => this.refreshNetwork(),
    });
    this.network = new NetworkDevices({ prober: this.prober });
  }

  /** Starts the enabled sources; resolves once local ports have been listed once. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const { discovery } = this.deps.config;
    if (discovery.interfaces.length > 0 && this.deps.sources.mdns) {
      this.mdns = this.deps.sources.mdns(this.listener);
      this.mdns.start();
    }
    this.prober.start();
    await this.pollLocal();
    if (this.enabledLocal().length > 0) {
      this.localTimer = setInterval(() => void this.pollLocal(), this.deps.localPollMs ?? 3000);
      this.localTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    if (this.localTimer) clearInterval(this.localTimer);
    this.localTimer = null;
    this.prober.stop();
    await this.mdns?.stop();
    this.mdns = null;
    await this.polling;
  }

  /** Every device known now. */
  devices(): DeviceInfo[] {
    return [...this.current.network.values(), ...this.current.usb.values(), ...this.current.serial.values()];
  }

  private readonly listener: BrowserListener = {
    up: (service) => this.onService(service),
    update: (service) => this.onService(service),
    down: (service, reason) => {
      this.network.remove(service, reason);
      this.refreshNetwork();
    },
  };

  private onService(service: MdnsService): void {
    if (this.deps.isOwnService?.(service.key)) return;
    this.network.put(service);
    this.refreshNetwork();
  }

  private now(): Date {
    return this.deps.clock?.now() ?? new Date();
  }

  private refreshNetwork(): void {
    if (!this.running) return;
    const next = new Map<string, DeviceInfo>();
    const signatures = new Map<string, string>();
    for (const group of this.network.groups()) {
      const previous = this.current.network.get(group.identity);
      signatures.set(group.identity, group.signature);
      // Unchanged services and probe result: the device is what it was (no rebuild, no compare).
      if (previous && this.signatures.get(group.identity) === group.signature) {
        next.set(group.identity, previous);
        continue;
      }
      const facts = group.facts();
      if (facts) next.set(group.identity, describeDevice(facts, this.deps.profiles, this.now()));
    }
    this.signatures = signatures;
    this.apply('network', next, (identity) => this.network.lostReason(identity));
  }

  private enabledLocal(): LocalSource[] {
    const { discovery } = this.deps.config;
    return this.deps.sources.local.filter((source) => (source.source === 'usb' ? discovery.usb : discovery.serial));
  }

  private pollLocal(): Promise<void> {
    if (this.polling) return this.polling;
    this.polling = (async () => {
      for (const source of this.enabledLocal()) {
        let listed: ListedDevice[];
        try {
          listed = await source.list();
          this.logOnce.clear(`list:${source.source}`);
        } catch (error) {
          // Unknown is not empty: keep what was listed before (udevadm hiccup, missing udev).
          this.logOnce.warn(`list:${source.source}`, { source: source.source, err: (error as Error).message }, 'devices cannot be listed');
          continue;
        }
        if (!this.running) return;
        const next = new Map<string, DeviceInfo>();
        for (const device of listed.slice(0, 64)) {
          const info = describeDevice(localDeviceFacts(device), this.deps.profiles, this.now());
          next.set(info.identity, info);
        }
        this.apply(source.source, next, () => 'unplugged');
      }
    })().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  /** Emits the difference between what a source reported before and now. */
  private apply(kind: Kind, next: Map<string, DeviceInfo>, lostReason: (identity: string) => LostReason): void {
    const before = this.current[kind];
    this.current[kind] = next;
    for (const [identity, device] of next) {
      const previous = before.get(identity);
      if (previous === device) continue;
      if (!previous) this.emit('found', device);
      else if (deviceChanged(previous, device)) this.emit('updated', device, previous);
      else next.set(identity, previous);
    }
    for (const [identity, device] of before) if (!next.has(identity)) this.emit('lost', device, lostReason(identity));
  }
}
