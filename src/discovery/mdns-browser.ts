import type { DiscoveryLogger } from './discovery-logger.js';
import { LogOnce } from './discovery-logger.js';
import { InterfaceBrowser, type SocketLike } from './interface-browser.js';
import { InterfaceWatch } from './interface-watch.js';
import type { BrowserLimits, BrowserListener, MdnsService } from './mdns-service.js';
import { MdnsSocket, type MdnsSocketHandlers } from './mdns-socket.js';
import type { MdnsInterface, NetworkInterfacesFn } from './network-interfaces.js';

export interface MdnsBrowserDeps {
  /** discovery.interfaces: the only interfaces that are browsed. */
  interfaces: readonly string[];
  log: DiscoveryLogger;
  listener: BrowserListener;
  now?: () => number;
  limits?: BrowserLimits;
  networkInterfaces?: NetworkInterfacesFn;
  openSocket?: (iface: MdnsInterface, handlers: MdnsSocketHandlers) => SocketLike;
}

/**
 * Browses printer services on the configured interfaces only, one socket per interface; follows
 * interface addresses (an interface that comes up later is browsed from then on). A service seen on
 * two interfaces is reported once per interface.
 */
export class MdnsBrowser {
  private readonly browsers = new Map<string, InterfaceBrowser>();
  private readonly watch: InterfaceWatch;
  private readonly logOnce: LogOnce;
  private stopped = false;

  constructor(private readonly deps: MdnsBrowserDeps) {
    this.logOnce = new LogOnce(deps.log);
    this.watch = new InterfaceWatch({
      names: deps.interfaces,
      ...(deps.networkInterfaces ? { networkInterfaces: deps.networkInterfaces } : {}),
      onChange: (up, down) => void this.onInterfaces(up, down),
    });
  }

  start(): void {
    this.watch.start();
    for (const name of this.watch.missing()) {
      this.deps.log.warn({ interface: name }, 'mdns interface has no IPv4 address yet: browsing starts when it gets one');
    }
  }

  services(): MdnsService[] {
    return [...this.browsers.values()].flatMap((browser) => browser.services());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watch.stop();
    const all = [...this.browsers.values()];
    this.browsers.clear();
    await Promise.all(all.map((browser) => browser.stop()));
  }

  private async onInterfaces(up: MdnsInterface[], down: string[]): Promise<void> {
    for (const name of [...down, ...up.map((iface) => iface.name)]) {
      const old = this.browsers.get(name);
      if (!old) continue;
      this.browsers.delete(name);
      // Its services go down with it: the interface they were seen on is gone or renumbered.
      for (const service of old.services()) this.deps.listener.down(service, 'expired');
      await old.stop();
    }
    if (this.stopped) return;
    for (const iface of up) {
      const browser = new InterfaceBrowser({
        iface,
        openSocket: this.deps.openSocket ?? ((target, handlers) => new MdnsSocket(target, this.deps.log, handlers)),
        listener: this.deps.listener,
        logOnce: this.logOnce,
        now: this.deps.now ?? Date.now,
        ...(this.deps.limits ? { limits: this.deps.limits } : {}),
      });
      this.browsers.set(iface.name, browser);
      browser.start();
      this.deps.log.info({ interface: iface.name, address: iface.address }, 'mdns browsing');
    }
  }
}
