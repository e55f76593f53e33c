import type { RemoteInfo } from 'node:dgram';
import type { Answer, Question } from 'dns-packet';
import { cleanText } from './clean-text.js';
import type { LogOnce } from './discovery-logger.js';
import { MdnsCache, type AddResult, type CachedRecord, type SrvData } from './mdns-cache.js';
import { BROWSE_TYPES, BROWSER_LIMITS, fqdnOf, type BrowserLimits, type BrowserListener, type BrowseType, type MdnsService } from './mdns-service.js';
import type { MdnsPacket, MdnsSocketHandlers } from './mdns-socket.js';
import { isHostAddress, onSubnet, type MdnsInterface } from './network-interfaces.js';
import { decodeTxt } from './txt-record.js';

export interface SocketLike {
  query(questions: Question[], knownAnswers?: Answer[]): void;
  close(): Promise<void>;
}

export interface InterfaceBrowserDeps {
  iface: MdnsInterface;
  openSocket(iface: MdnsInterface, handlers: MdnsSocketHandlers): SocketLike;
  listener: BrowserListener;
  logOnce: LogOnce;
  now(): number;
  limits?: BrowserLimits;
}

interface Tracked {
  type: BrowseType;
  /** The full name as the PTR gave it. */
  name: string;
  /** The responder that announced it. */
  from: string;
  emitted: MdnsService | null;
  firstSeen: number;
  lastAsked: number;
  asked: number;
  /** A goodbye (TTL 0) came for its PTR or SRV: when they go it is reported as withdrawn, not expired. */
  goodbye: boolean;
}

/** Known answers sent with a query at most, so the packet stays small (RFC 6762 7.1). */
const MAX_KNOWN_ANSWERS = 12;
const MAX_QUESTIONS_PER_PACKET = 32;
/** How long a service with SRV and address waits for its TXT before it is reported without one. */
const TXT_WAIT_MS = 1500;
/** How long a service waits for an address record before the responder's own address is used. */
const ADDRESS_WAIT_MS = 2000;
/** Questions for one name are repeated no sooner than this (avahi does not repeat a record within 1 s). */
const ASK_AGAIN_MS = 1000;
/** An instance that never resolved gives its place to a new one after this long, when the table is full. */
const UNRESOLVED_EVICT_MS = 10_000;

/**
 * DNS-SD browsing on one interface with the gateway's own cache (bonjour-service's Browser is not
 * used: it never updates addresses, misses PTR and SRV in separate packets, never expires and
 * decodes TXT wrongly). Queries PTR on a back-off, asks for missing SRV/TXT/A itself, refreshes
 * records at 80 % and 90 % of their TTL, and reports services up, updated (new address, port,
 * TXT) and down (goodbye, expiry). Bounded: services (in all and per responder), records and TXT
 * bytes are capped.
 */
export class InterfaceBrowser {
  private readonly cache: MdnsCache;
  private readonly tracked = new Map<string, Tracked>();
  private readonly limits: BrowserLimits;
  private socket: SocketLike | null = null;
  private tick: NodeJS.Timeout | null = null;
  private queryTimer: NodeJS.Timeout | null = null;
  private queryDelay: number;
  private pending: Question[] = [];

  constructor(private readonly deps: InterfaceBrowserDeps) {
    this.limits = deps.limits ?? BROWSER_LIMITS;
    this.cache = new MdnsCache(this.limits.cache);
    this.queryDelay = this.limits.queryFirstMs;
  }

  get iface(): MdnsInterface {
    return this.deps.iface;
  }

  start(): void {
    this.socket = this.deps.openSocket(this.deps.iface, { onResponse: (packet, from) => this.onResponse(packet, from) });
    this.sendBrowseQuery();
    this.tick = setInterval(() => this.onTick(), 1000);
    this.tick.unref();
  }

  services(): MdnsService[] {
    return [...this.tracked.values()].flatMap((entry) => (entry.emitted ? [entry.emitted] : []));
  }

  async stop(): Promise<void> {
    if (this.tick) clearInterval(this.tick);
    if (this.queryTimer) clearTimeout(this.queryTimer);
    this.tick = this.queryTimer = null;
    const socket = this.socket;
    this.socket = null;
    await socket?.close();
  }

  private sendBrowseQuery(): void {
    if (this.queryTimer) clearTimeout(this.queryTimer);
    const now = this.deps.now();
    const known: Answer[] = [];
    for (const type of BROWSE_TYPES) {
      for (const record of this.cache.get(fqdnOf(type), 'PTR', now)) {
        const remaining = record.expiresAt - now;
        if (known.length < MAX_KNOWN_ANSWERS && remaining > record.ttlMs / 2) {
          known.push({ name: fqdnOf(type), type: 'PTR', ttl: Math.floor(remaining / 1000), data: record.data as string });
        }
      }
    }
    this.socket?.query(
      BROWSE_TYPES.map((type) => ({ name: fqdnOf(type), type: 'PTR' as const })),
      known,
    );
    this.queryTimer = setTimeout(() => this.sendBrowseQuery(), this.queryDelay);
    this.queryTimer.unref();
    this.queryDelay = Math.min(this.queryDelay * 2, this.limits.queryMaxMs);
  }

  private onResponse(packet: MdnsPacket, from: RemoteInfo): void {
    const now = this.deps.now();
    const records = [...packet.answers, ...packet.additionals];
    const touched = new Set<string>();
    // PTRs first: a packet may carry the PTR with its SRV, TXT and A (bonjour-service) or not (avahi).
    for (const record of records) {
      if (record.type !== 'PTR' || typeof record.data !== 'string') continue;
      const type = BROWSE_TYPES.find((candidate) => fqdnOf(candidate) === record.name.toLowerCase());
      const key = record.data.toLowerCase();
      if (!type || !key.endsWith(`.${fqdnOf(type)}`)) continue;
      if (!this.tracked.has(key) && ((record as { ttl?: number }).ttl === 0 || !this.admit(key, type, record.data, from.address, now))) continue;
      this.noteGoodbye(key, this.store(record, now, from.address));
      touched.add(key);
    }
    for (const record of records) {
      const key = record.name.toLowerCase();
      if ((record.type !== 'SRV' && record.type !== 'TXT') || !this.tracked.has(key)) continue;
      const result = this.store(record, now, from.address);
      if (record.type === 'SRV') this.noteGoodbye(key, result);
      touched.add(key);
    }
    const hosts = this.hostsOfTracked(now);
    for (const record of records) {
      if (record.type !== 'A' && record.type !== 'AAAA') continue;
      const services = hosts.get(record.name.toLowerCase());
      if (!services) continue;
      this.store(record, now, from.address);
      for (const key of services) touched.add(key);
    }
    for (const key of touched) this.reconcile(key, now);
    this.flushQuestions();
  }

  /** Starts tracking an instance if the limits allow (evicting one that never resolved when full). */
  private admit(key: string, type: BrowseType, name: string, from: string, now: number): boolean {
    const iface = this.deps.iface.name;
    let fromSame = 0;
    for (const entry of this.tracked.values()) if (entry.from === from) fromSame += 1;
    if (fromSame >= this.limits.maxPerResponder) {
      this.deps.logOnce.warn(`responder-full:${iface}:${from}`, { interface: iface, responder: from, limit: this.limits.maxPerResponder }, 'one mDNS responder announces too many services: the rest are ignored');
      return false;
    }
    if (this.tracked.size >= this.limits.maxServices) {
      const stale = [...this.tracked].find(([, entry]) => !entry.emitted && now - entry.firstSeen > UNRESOLVED_EVICT_MS);
      if (!stale) {
        this.deps.logOnce.warn(`services-full:${iface}`, { interface: iface, limit: this.limits.maxServices }, 'too many mDNS services: the rest are ignored');
        return false;
      }
      this.tracked.delete(stale[0]);
      this.cache.forget(stale[0]);
      this.cache.forgetPointer(fqdnOf(stale[1].type), stale[0]);
    }
    this.tracked.set(key, { type, name, from, emitted: null, firstSeen: now, lastAsked: 0, asked: 0, goodbye: false });
    return true;
  }

  private store(record: Answer, now: number, from: string): AddResult {
    const result = this.cache.add(record, now, from);
    if (result === 'full') {
      this.deps.logOnce.warn(`cache-full:${this.deps.iface.name}`, { interface: this.deps.iface.name, records: this.cache.size }, 'mDNS record cache full: new records are ignored');
    }
    return result;
  }

  private noteGoodbye(key: string, result: AddResult): void {
    const entry = this.tracked.get(key);
    if (!entry) return;
    if (result === 'goodbye') entry.goodbye = true;
    else if (result === 'added' || result === 'refreshed') entry.goodbye = false;
  }

  /** Lower-case host name → keys of the tracked services whose SRV points at it. */
  private hostsOfTracked(now: number): Map<string, string[]> {
    const hosts = new Map<string, string[]>();
    for (const key of this.tracked.keys()) {
      for (const srv of this.cache.get(key, 'SRV', now)) {
        const host = (srv.data as SrvData).target.toLowerCase();
        hosts.set(host, [...(hosts.get(host) ?? []), key]);
      }
    }
    return hosts;
  }

  private onTick(): void {
    const now = this.deps.now();
    const changed = this.cache.expire(now);
    const hosts = this.hostsOfTracked(now);
    const affected = new Set<string>();
    for (const name of changed) {
      if (this.tracked.has(name)) affected.add(name);
      for (const key of hosts.get(name) ?? []) affected.add(key);
      if (BROWSE_TYPES.some((type) => fqdnOf(type) === name)) for (const key of this.tracked.keys()) affected.add(key);
    }
    // Incomplete services ask again: three times with growing gaps, then only when answers come.
    for (const [key, entry] of this.tracked) if (!entry.emitted && entry.asked < 3 && now - entry.lastAsked >= ASK_AGAIN_MS * 2 ** entry.asked) affected.add(key);
    for (const key of affected) this.reconcile(key, now);
    this.refresh(now, hosts);
    this.flushQuestions();
  }

  /** Asks again for records of reported services at 80 % and 90 % of their TTL (RFC 6762 5.2). */
  private refresh(now: number, hosts: Map<string, string[]>): void {
    const due = (records: CachedRecord[]): boolean =>
      records.some((record) => {
        const stage = record.refreshes === 0 ? 0.8 : record.refreshes === 1 ? 0.9 : Infinity;
        if (now - record.receivedAt < record.ttlMs * stage) return false;
        record.refreshes += 1;
        return true;
      });
    for (const [key, entry] of this.tracked) {
      if (entry.emitted && (due(this.cache.get(key, 'SRV', now)) || due(this.cache.get(key, 'TXT', now)))) {
        this.pending.push({ name: entry.name, type: 'SRV' }, { name: entry.name, type: 'TXT' });
      }
    }
    for (const host of hosts.keys()) if (due(this.cache.get(host, 'A', now))) this.pending.push({ name: host, type: 'A' });
  }

  private reconcile(key: string, now: number): void {
    const entry = this.tracked.get(key);
    if (!entry) return;
    const pointer = this.cache.get(fqdnOf(entry.type), 'PTR', now).find((record) => (record.data as string).toLowerCase() === key);
    const srv = this.cache.get(key, 'SRV', now)[0];
    if (!pointer || !srv) {
      if (entry.emitted) this.deps.listener.down(entry.emitted, entry.goodbye ? 'goodbye' : 'expired');
      entry.emitted = null;
      if (!pointer) {
        this.tracked.delete(key);
        this.cache.forget(key);
      } else {
        this.ask(entry, now, [{ name: entry.name, type: 'SRV' }, { name: entry.name, type: 'TXT' }]);
      }
      return;
    }
    const target = srv.data as SrvData;
    const txtRecord = this.cache.get(key, 'TXT', now)[0];
    // Newest first, the interface's own subnet before others.
    const addresses = [...this.cache.get(target.target, 'A', now), ...this.cache.get(target.target, 'AAAA', now)]
      .sort((a, b) => b.receivedAt - a.receivedAt)
      .map((record) => record.data as string)
      .filter(isHostAddress)
      .sort((a, b) => Number(onSubnet(b, this.deps.iface)) - Number(onSubnet(a, this.deps.iface)));
    const missing: Question[] = [];
    if (!txtRecord) missing.push({ name: entry.name, type: 'TXT' });
    if (addresses.length === 0) missing.push({ name: target.target, type: 'A' });
    if (missing.length > 0) this.ask(entry, now, missing);
    const waited = now - entry.firstSeen;
    const useReferer = addresses.length === 0 && waited >= ADDRESS_WAIT_MS;
    if (target.port === 0) {
      // A placeholder (ippeveprinter's _printer._tcp): never a printer to report.
      if (entry.emitted) this.deps.listener.down(entry.emitted, 'goodbye');
      entry.emitted = null;
      return;
    }
    if ((addresses.length === 0 && !useReferer) || (!txtRecord && waited < TXT_WAIT_MS)) return;
    const decoded = decodeTxt((txtRecord?.data as Buffer[] | undefined) ?? [], this.limits.txt);
    if (decoded.problems.length > 0) {
      this.deps.logOnce.warn(`txt:${key}`, { interface: this.deps.iface.name, service: cleanText(entry.name, 120), problems: decoded.problems }, 'malformed or oversized TXT record');
    }
    const service: MdnsService = {
      interface: this.deps.iface.name,
      type: entry.type,
      instance: cleanText(entry.name.slice(0, entry.name.length - fqdnOf(entry.type).length - 1), 63) || '(unnamed)',
      key,
      host: cleanText(target.target, 255),
      port: target.port,
      addresses: useReferer ? [srv.from] : addresses,
      addressFrom: useReferer ? 'referer' : 'answer',
      txt: decoded.txt,
      txtProblems: decoded.problems,
    };
    const previous = entry.emitted;
    entry.emitted = service;
    if (!previous) this.deps.listener.up(service);
    else if (JSON.stringify(previous) !== JSON.stringify(service)) this.deps.listener.update(service, previous);
  }

  private ask(entry: Tracked, now: number, questions: Question[]): void {
    if (now - entry.lastAsked < ASK_AGAIN_MS) return;
    entry.lastAsked = now;
    entry.asked += 1;
    this.pending.push(...questions);
  }

  /** Sends the questions gathered while handling a packet or a tick, several to a packet. */
  private flushQuestions(): void {
    const seen = new Set<string>();
    const questions = this.pending.filter((question) => {
      const key = `${question.name.toLowerCase()}|${question.type}`;
      return !seen.has(key) && seen.add(key) !== undefined;
    });
    this.pending = [];
    for (let index = 0; index < questions.length; index += MAX_QUESTIONS_PER_PACKET) {
      this.socket?.query(questions.slice(index, index + MAX_QUESTIONS_PER_PACKET));
    }
  }
}
