import type { RemoteInfo } from 'node:dgram';
import makeMdns from 'multicast-dns';
import dnsPacket, { type Answer, type Question } from 'dns-packet';
import type { DiscoveryLogger } from './discovery-logger.js';
import { onSubnet, type MdnsInterface } from './network-interfaces.js';

export interface MdnsPacket {
  questions: Question[];
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
}

export interface MdnsSocketHandlers {
  onResponse?(packet: MdnsPacket, from: RemoteInfo): void;
  onQuery?(packet: MdnsPacket & { id: number }, from: RemoteInfo): void;
}

/**
 * One multicast-dns socket on one interface: sends and joins 224.0.0.251 on that interface's
 * address only (bound to 0.0.0.0:5353 with SO_REUSEADDR, beside avahi-daemon), and passes on only
 * packets whose sender is on that interface's subnet — the socket also receives what other
 * interfaces' sockets joined. Send errors are logged, never thrown.
 */
export class MdnsSocket {
  private readonly mdns: makeMdns.MulticastDNS;
  private closed = false;
  private readonly ready: Promise<void>;

  constructor(
    readonly iface: MdnsInterface,
    private readonly log: DiscoveryLogger,
    handlers: MdnsSocketHandlers,
  ) {
    this.mdns = makeMdns({ interface: iface.address, bind: '0.0.0.0', reuseAddr: true, loopback: true });
    this.ready = new Promise((resolve) => this.mdns.once('ready', () => resolve()));
    this.mdns.on('error', (error: Error) => log.warn({ interface: iface.name, err: error.message }, 'mdns socket error'));
    this.mdns.on('warning', (error: Error) => log.debug({ interface: iface.name, err: error.message }, 'mdns packet ignored'));
    this.mdns.on('response', (packet: makeMdns.ResponsePacket, from: RemoteInfo) => {
      if (this.closed || !onSubnet(from.address, iface)) return;
      handlers.onResponse?.(packet, from);
    });
    this.mdns.on('query', (packet: makeMdns.QueryPacket, from: RemoteInfo) => {
      if (this.closed || !onSubnet(from.address, iface)) return;
      handlers.onQuery?.({ ...packet, id: packet.id ?? 0 }, from);
    });
  }

  /** Resolves once the socket is bound (or at once after close). */
  whenReady(): Promise<void> {
    return this.ready;
  }

  query(questions: Question[], knownAnswers: Answer[] = [], authorities: Answer[] = []): void {
    const message = { questions, answers: knownAnswers, authorities };
    if (this.encodes({ type: 'query', ...message })) this.mdns.query(message, this.sent);
  }

  /** A response, multicast on the interface, or unicast to `to` (legacy and QU queries); resolves once sent. */
  respond(packet: { answers: Answer[]; additionals?: Answer[]; id?: number; questions?: Question[] }, to?: RemoteInfo): Promise<void> {
    const message = { id: packet.id ?? 0, questions: packet.questions ?? [], answers: packet.answers, additionals: packet.additionals ?? [] };
    if (!this.encodes({ type: 'response', ...message })) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (error?: Error | null): void => {
        this.sent(error);
        resolve();
      };
      if (to) this.mdns.respond(message, { address: to.address, port: to.port }, done);
      else this.mdns.respond(message, done);
    });
  }

  private readonly sent = (error?: Error | null): void => {
    if (error) this.log.debug({ interface: this.iface.name, err: error.message }, 'mdns send failed');
  };

  /**
   * multicast-dns encodes on a later tick, where a record dns-packet cannot encode (a label over
   * 63 bytes, ...) would be an uncaught exception: encode here first and drop what fails.
   */
  private encodes(message: dnsPacket.Packet): boolean {
    if (this.closed) return false;
    try {
      dnsPacket.encode(message);
      return true;
    } catch (error) {
      this.log.warn({ interface: this.iface.name, err: (error as Error).message }, 'mdns packet not sent: it cannot be encoded');
      return false;
    }
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.mdns.destroy(() => resolve()));
  }
}
