import { resolveInterfaces, type MdnsInterface, type NetworkInterfacesFn } from './network-interfaces.js';

export interface InterfaceWatchDeps {
  names: readonly string[];
  networkInterfaces?: NetworkInterfacesFn;
  /** Called with the interfaces whose IPv4 address appeared or changed, and the names that lost theirs. */
  onChange(up: MdnsInterface[], down: string[]): void;
  /** How often addresses are looked at again (DHCP may come late or move). */
  intervalMs?: number;
}

/**
 * Follows the IPv4 addresses of the configured interfaces: an interface that has none yet (DHCP
 * still running, cable out) is picked up when it gets one; a changed address is reported so that
 * sockets are reopened and the box re-announces itself.
 */
export class InterfaceWatch {
  private current = new Map<string, MdnsInterface>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: InterfaceWatchDeps) {}

  /** Looks once now (reporting what is up) and then every interval. */
  start(): void {
    this.check();
    this.timer = setInterval(() => this.check(), this.deps.intervalMs ?? 5000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  interfaces(): MdnsInterface[] {
    return [...this.current.values()];
  }

  /** Names configured but without an IPv4 address now. */
  missing(): string[] {
    return this.deps.names.filter((name) => !this.current.has(name));
  }

  private check(): void {
    let found: MdnsInterface[];
    try {
      found = resolveInterfaces(this.deps.names, this.deps.networkInterfaces);
    } catch {
      return;
    }
    const next = new Map(found.map((iface) => [iface.name, iface] as const));
    const up = found.filter((iface) => {
      const before = this.current.get(iface.name);
      return !before || before.address !== iface.address || before.netmask !== iface.netmask;
    });
    const down = [...this.current.keys()].filter((name) => !next.has(name));
    this.current = next;
    if (up.length > 0 || down.length > 0) this.deps.onChange(up, down);
  }
}
