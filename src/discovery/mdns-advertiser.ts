import type { RemoteInfo } from 'node:dgram';
import os from 'node:os';
import type { Answer } from 'dns-packet';
import type { DiscoveryLogger } from './discovery-logger.js';
import { InterfaceWatch } from './interface-watch.js';
import {
  answersFor,
  checkService,
  fullName,
  hostLabel,
  hostRecords,
  instanceLabel,
  serviceRecords,
  wantsUnicast,
  type AdvertisedService,
} from './mdns-records.js';
import { MdnsSocket, type MdnsPacket, type MdnsSocketHandlers } from './mdns-socket.js';
import type { MdnsInterface, NetworkInterfacesFn } from './network-interfaces.js';

export interface AdvertiserSocket {
  query(questions: MdnsPacket['questions'], knownAnswers?: Answer[], authorities?: Answer[]): void;
  respond(packet: { answers: Answer[]; additionals?: Answer[]; id?: number; questions?: MdnsPacket['questions'] }, to?: RemoteInfo): Promise<void>;
  close(): Promise<void>;
}

export interface MdnsAdvertiserDeps {
  /** discovery.interfaces: the only interfaces announced on. */
  interfaces: readonly string[];
  log: DiscoveryLogger;
  /** The host label the SRV records name (default: "<hostname>-printgate", so an avahi on the box keeps its own name). */
  hostname?: string;
  networkInterfaces?: NetworkInterfacesFn;
  openSocket?: (iface: MdnsInterface, handlers: MdnsSocketHandlers) => AdvertiserSocket;
  /** Probe spacing (RFC 6762 8.1: 250 ms); shorter only in tests. */
  probeIntervalMs?: number;
}

/** A published service: its final name (after conflict renaming), a TXT update, a withdrawal with goodbye. */
export interface Advertisement {
  readonly service: AdvertisedService;
  update(txt: AdvertisedService['txt']): void;
  withdraw(): Promise<void>;
}

interface Published {
  service: AdvertisedService;
  timers: NodeJS.Timeout[];
}

const ANNOUNCE_GAPS_MS = [0, 1000, 2000];
const MAX_RENAMES = 10;

/**
 * Announces DNS-SD services on the configured interfaces (multicast-dns, one socket each, beside an
 * avahi-daemon): probes each name first and renames on conflict ("name (2)", RFC 6762 §8),
 * announces three times, answers queries (with known-answer suppression, unicast where asked),
 * re-announces on a new interface address, and withdraws with a goodbye (TTL 0). Generic: the
 * gateway announces `_printgate._tcp` and `_http._tcp`; the IPP server announces one `_ipp._tcp`
 * per printer with the `_print` and `_universal` subtypes and its own TXT.
 */
export class MdnsAdvertiser {
  private readonly sockets = new Map<string, { iface: MdnsInterface; socket: AdvertiserSocket }>();
  private readonly published = new Map<string, Published>();
  private readonly watch: InterfaceWatch;
  /** Names being probed, lower-case → set when someone else answered for them. */
  private readonly probing = new Map<string, { conflict: boolean }>();
  private host: string;
  private hostReady: Promise<void> = Promise.resolve();
  /** The host name is answered for only once probing found it free. */
  private hostClaimed = false;
  private stopped = false;

  constructor(private readonly deps: MdnsAdvertiserDeps) {
    this.host = `${hostLabel(deps.hostname ?? `${os.hostname()}-printgate`)}.local`;
    this.watch = new InterfaceWatch({
      names: deps.interfaces,
      ...(deps.networkInterfaces ? { networkInterfaces: deps.networkInterfaces } : {}),
      onChange: (up, down) => void this.onInterfaces(up, down),
    });
  }

  /** The host name the services point at (after conflict renaming). */
  get hostName(): string {
    return this.host;
  }

  /** Opens the interfaces and claims the host name. */
  async start(): Promise<void> {
    this.watch.start();
    this.hostReady = this.claimHost();
    await this.hostReady;
  }

  /** Lower-case full names of the services announced, so the browser can skip the box's own. */
  ownNames(): string[] {
    return [...this.published.keys()];
  }

  async publish(wanted: AdvertisedService): Promise<Advertisement> {
    checkService(wanted);
    await this.hostReady;
    const base = instanceLabel(wanted.instance);
    let service: AdvertisedService = { ...wanted, instance: base };
    for (let attempt = 2; ; attempt += 1) {
      const taken = this.published.has(fullName(service).toLowerCase());
      if (!taken && !(await this.probe(fullName(service)))) break;
      if (attempt > MAX_RENAMES + 1) throw new Error(`mDNS name ${fullName(wanted)} is taken on the network (tried ${MAX_RENAMES} others)`);
      service = { ...wanted, instance: instanceLabel(`${base.slice(0, 56)} (${attempt})`) };
    }
    if (service.instance !== base) this.deps.log.info({ wanted: base, instance: service.instance }, 'mdns name taken: renamed');
    const key = fullName(service).toLowerCase();
    const entry: Published = { service, timers: [] };
    this.published.set(key, entry);
    this.announce(entry);
    this.deps.log.info({ instance: service.instance, type: service.type, port: service.port }, 'mdns service announced');
    return {
      service,
      update: (txt) => {
        entry.service = { ...entry.service, txt };
        checkService(entry.service);
        this.announce(entry);
      },
      withdraw: async () => {
        if (this.published.get(key) !== entry) return;
        this.published.delete(key);
        entry.timers.forEach(clearTimeout);
        await this.sendAll((iface) => this.recordsOf(entry.service, iface, 0));
      },
    };
  }

  /** Goodbyes for everything, then the sockets close. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.watch.stop();
    const all = [...this.published.values()];
    this.published.clear();
    for (const entry of all) entry.timers.forEach(clearTimeout);
    await this.sendAll((iface) => [...all.flatMap((entry) => this.recordsOf(entry.service, iface, 0)), ...hostRecords(this.host, iface.address, 0)]);
    const sockets = [...this.sockets.values()];
    this.sockets.clear();
    await Promise.all(sockets.map(({ socket }) => socket.close()));
  }

  private recordsOf(service: AdvertisedService, iface: MdnsInterface, ttlScale = 1): Answer[] {
    const { shared, unique } = serviceRecords(service, this.host, ttlScale);
    return [...shared, ...unique, ...(ttlScale > 0 ? hostRecords(this.host, iface.address) : [])];
  }

  private owned(iface: MdnsInterface): Answer[] {
    const services = [...this.published.values()].flatMap((entry) => this.recordsOf(entry.service, iface).filter((record) => record.type !== 'A'));
    return this.hostClaimed ? [...services, ...hostRecords(this.host, iface.address)] : services;
  }

  private async claimHost(): Promise<void> {
    const base = this.host.replace(/\.local$/, '');
    for (let attempt = 2; attempt <= MAX_RENAMES + 1 && (await this.probe(this.host)); attempt += 1) {
      this.host = `${hostLabel(`${base.slice(0, 58)}-${attempt}`)}.local`;
    }
    if (this.host !== `${base}.local`) this.deps.log.info({ wanted: `${base}.local`, host: this.host }, 'mdns host name taken: renamed');
    this.hostClaimed = true;
  }

  /** Probes a name three times, 250 ms apart (RFC 6762 8.1); true when another host answered for it. */
  private async probe(name: string): Promise<boolean> {
    if (this.sockets.size === 0) return false;
    const state = { conflict: false };
    this.probing.set(name.toLowerCase(), state);
    try {
      const gap = this.deps.probeIntervalMs ?? 250;
      for (let round = 0; round < 3 && !state.conflict; round += 1) {
        for (const { socket } of this.sockets.values()) socket.query([{ name, type: 'ANY' as never }]);
        await new Promise((resolve) => setTimeout(resolve, gap).unref());
      }
      return state.conflict;
    } finally {
      this.probing.delete(name.toLowerCase());
    }
  }

  private announce(entry: Published): void {
    entry.timers.forEach(clearTimeout);
    entry.timers = ANNOUNCE_GAPS_MS.map((delay) => {
      const timer = setTimeout(() => void this.sendAll((iface) => this.recordsOf(entry.service, iface)), delay);
      timer.unref();
      return timer;
    });
  }

  private async sendAll(records: (iface: MdnsInterface) => Answer[]): Promise<void> {
    await Promise.all([...this.sockets.values()].map(({ iface, socket }) => socket.respond({ answers: records(iface) })));
  }

  private onResponse(packet: MdnsPacket): void {
    if (this.probing.size === 0) return;
    for (const record of [...packet.answers, ...packet.additionals]) {
      const state = this.probing.get(record.name.toLowerCase());
      if (state && (record as { ttl?: number }).ttl !== 0) state.conflict = true;
    }
  }

  private onQuery(iface: MdnsInterface, packet: MdnsPacket & { id: number }, from: RemoteInfo): void {
    const socket = this.sockets.get(iface.name)?.socket;
    if (!socket || this.stopped) return;
    const { answers, additionals } = answersFor(packet.questions, packet.answers, this.owned(iface));
    if (answers.length === 0) return;
    const legacy = from.port !== 5353;
    const unicast = legacy || packet.questions.some(wantsUnicast);
    const reply = { answers, additionals, ...(legacy ? { id: packet.id, questions: packet.questions } : {}) };
    // Shared records are answered after 20-120 ms so that several responders do not collide (RFC 6762 6).
    const delay = answers.some((record) => record.type === 'PTR') && !unicast ? 20 + Math.floor(Math.random() * 100) : 0;
    setTimeout(() => void socket.respond(reply, unicast ? from : undefined), delay).unref();
  }

  private async onInterfaces(up: MdnsInterface[], down: string[]): Promise<void> {
    for (const name of [...down, ...up.map((iface) => iface.name)]) {
      const old = this.sockets.get(name);
      if (!old) continue;
      this.sockets.delete(name);
      await old.socket.close();
    }
    if (this.stopped) return;
    for (const iface of up) {
      const open = this.deps.openSocket ?? ((target, handlers) => new MdnsSocket(target, this.deps.log, handlers));
      const socket = open(iface, { onQuery: (packet, from) => this.onQuery(iface, packet, from), onResponse: (packet) => this.onResponse(packet) });
      this.sockets.set(iface.name, { iface, socket });
      this.deps.log.info({ interface: iface.name, address: iface.address, host: this.host }, 'mdns advertising');
      // A new or renumbered interface hears every service again.
      for (const entry of this.published.values()) this.announce(entry);
    }
  }
}
