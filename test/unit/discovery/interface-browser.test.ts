import type { RemoteInfo } from 'node:dgram';
import type { Answer, Question, StringAnswer } from 'dns-packet';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LogOnce } from '../../../src/discovery/discovery-logger.js';
import { InterfaceBrowser } from '../../../src/discovery/interface-browser.js';
import { BROWSER_LIMITS, type MdnsService } from '../../../src/discovery/mdns-service.js';
import type { MdnsPacket, MdnsSocketHandlers } from '../../../src/discovery/mdns-socket.js';

/**
 * The browser's bookkeeping with packets handed in directly: `openSocket` is a stand-in, so this
 * test opens no socket and sends nothing on any network. The real mDNS exchange runs only inside
 * the namespaces test/integration/discovery-mdns.test.ts creates (and checks it is in them).
 */
interface Rig {
  browser: InterfaceBrowser;
  deliver(answers: Answer[], from?: string): void;
  queries: Question[][];
  events: string[];
  warnings: string[];
}

function rig(limits = BROWSER_LIMITS): Rig {
  let handlers: MdnsSocketHandlers = {};
  const queries: Question[][] = [];
  const events: string[] = [];
  const warnings: string[] = [];
  const log = { debug: () => undefined, info: () => undefined, error: () => undefined, warn: (_fields: object, message: string) => warnings.push(message) };
  const browser = new InterfaceBrowser({
    iface: { name: 'eth0', address: '10.0.0.2', netmask: '255.255.255.0' },
    openSocket: (_iface, given) => {
      handlers = given;
      return { query: (questions) => queries.push(questions), close: async () => undefined };
    },
    listener: {
      up: (s: MdnsService) => events.push(`up ${s.instance} ${s.addresses.join(',')}:${s.port}`),
      update: (s: MdnsService) => events.push(`update ${s.instance} ${s.addresses.join(',')}:${s.port}`),
      down: (s: MdnsService, reason) => events.push(`down ${s.instance} ${reason}`),
    },
    logOnce: new LogOnce(log),
    now: () => Date.now(),
    limits,
  });
  browser.start();
  const deliver = (answers: Answer[], from = '10.0.0.20'): void =>
    handlers.onResponse?.({ questions: [], answers, authorities: [], additionals: [] } as MdnsPacket, { address: from, port: 5353, family: 'IPv4', size: 0 } as RemoteInfo);
  return { browser, deliver, queries, events, warnings };
}

const ptr = (instance: string, ttl = 4500): Answer => ({ name: '_pdl-datastream._tcp.local', type: 'PTR', ttl, data: `${instance}._pdl-datastream._tcp.local` });
const srv = (instance: string, port = 9100, host = 'p.local', ttl = 120): Answer => ({ name: `${instance}._pdl-datastream._tcp.local`, type: 'SRV', ttl, data: { target: host, port } });
const txt = (instance: string): Answer => ({ name: `${instance}._pdl-datastream._tcp.local`, type: 'TXT', ttl: 4500, data: [Buffer.from('ty=X')] });
const a = (address: string, host = 'p.local', flush = true): StringAnswer => ({ name: host, type: 'A', ttl: 120, flush, data: address });

describe('InterfaceBrowser', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('queries PTR at once and then on a back-off of 1, 2, 4 s … capped', () => {
    const r = rig();
    const ptrQueries = () => r.queries.filter((questions) => questions.some((q) => q.type === 'PTR')).length;
    expect(ptrQueries()).toBe(1);
    vi.advanceTimersByTime(1000);
    expect(ptrQueries()).toBe(2);
    vi.advanceTimersByTime(2000);
    expect(ptrQueries()).toBe(3);
    vi.advanceTimersByTime(4000);
    expect(ptrQueries()).toBe(4);
    vi.advanceTimersByTime(10 * 60_000);
    expect(ptrQueries()).toBeLessThan(4 + 16);
  });

  it('PTR, SRV, TXT and A in separate packets (avahi) make one service; it asks for what is missing', () => {
    const r = rig();
    r.deliver([ptr('P')]);
    expect(r.queries.at(-1)).toEqual([{ name: 'P._pdl-datastream._tcp.local', type: 'SRV' }, { name: 'P._pdl-datastream._tcp.local', type: 'TXT' }]);
    vi.advanceTimersByTime(1000);
    r.deliver([srv('P'), txt('P')]);
    expect(r.queries.at(-1)).toEqual([{ name: 'p.local', type: 'A' }]);
    r.deliver([a('10.0.0.20')]);
    expect(r.events).toEqual(['up P 10.0.0.20:9100']);
  });

  it('follows a new address (cache-flush) and reports a goodbye as such, a second later', () => {
    const r = rig();
    r.deliver([ptr('P'), srv('P'), txt('P'), a('10.0.0.20')]);
    vi.advanceTimersByTime(5000);
    r.deliver([srv('P'), a('10.0.0.21')]);
    vi.advanceTimersByTime(1500);
    expect(r.events).toEqual(['up P 10.0.0.20:9100', 'update P 10.0.0.21,10.0.0.20:9100', 'update P 10.0.0.21:9100']);
    r.deliver([ptr('P', 0), srv('P', 9100, 'p.local', 0)]);
    expect(r.events.at(-1)).toBe('update P 10.0.0.21:9100');
    vi.advanceTimersByTime(1500);
    expect(r.events.at(-1)).toBe('down P goodbye');
    expect(r.browser.services()).toEqual([]);
  });

  it('expires a service whose responder vanished without a goodbye, after asking again at 80 % and 90 % of the TTL', () => {
    const r = rig();
    r.deliver([ptr('P'), srv('P', 9100, 'p.local', 10), txt('P'), { ...a('10.0.0.20'), ttl: 10 }]);
    vi.advanceTimersByTime(8500);
    expect(r.queries.some((questions) => questions.some((q) => q.type === 'SRV' && q.name === 'P._pdl-datastream._tcp.local'))).toBe(true);
    vi.advanceTimersByTime(2000);
    expect(r.events).toEqual(['up P 10.0.0.20:9100', 'down P expired']);
  });

  it('never points at loopback: a responder claiming 127.0.0.1 is reached at its own address', () => {
    const r = rig();
    r.deliver([ptr('Loop'), srv('Loop', 9100, 'loop.local'), txt('Loop'), a('127.0.0.1', 'loop.local')], '10.0.0.66');
    vi.advanceTimersByTime(3000);
    expect(r.events).toEqual(['up Loop 10.0.0.66:9100']);
  });

  it('ignores port 0 placeholders and uses the responder address when no address record comes', () => {
    const r = rig();
    r.deliver([ptr('Zero'), srv('Zero', 0), txt('Zero'), a('10.0.0.20')]);
    r.deliver([ptr('NoA'), srv('NoA', 9100, 'noa.local'), txt('NoA')], '10.0.0.44');
    expect(r.events).toEqual([]);
    vi.advanceTimersByTime(3000);
    expect(r.events).toEqual(['up NoA 10.0.0.44:9100']);
    expect(r.browser.services()[0]?.addressFrom).toBe('referer');
  });

  it('caps services per responder and per interface, logs each once, and gives unresolved places to new services', () => {
    const limits = { ...BROWSER_LIMITS, maxServices: 10, maxPerResponder: 4 };
    const r = rig(limits);
    for (let i = 0; i < 20; i += 1) r.deliver([ptr(`a${i}`), srv(`a${i}`), txt(`a${i}`), a('10.0.0.20')], '10.0.0.20');
    expect(r.browser.services()).toHaveLength(4);
    for (let responder = 30; responder < 34; responder += 1) {
      for (let i = 0; i < 4; i += 1) r.deliver([ptr(`r${responder}-${i}`)], `10.0.0.${responder}`);
    }
    expect(r.warnings.filter((w) => w.startsWith('one mDNS responder'))).toHaveLength(1);
    expect(r.warnings.filter((w) => w.startsWith('too many mDNS services'))).toHaveLength(1);
    // The unresolved ones (PTR only) give way after 10 s to a real printer.
    vi.advanceTimersByTime(11_000);
    r.deliver([ptr('Real'), srv('Real', 9100, 'real.local'), txt('Real'), a('10.0.0.50', 'real.local')], '10.0.0.50');
    expect(r.events.at(-1)).toBe('up Real 10.0.0.50:9100');
  });
});
