import type { Answer } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { MdnsCache } from '../../../src/discovery/mdns-cache.js';

const limits = { maxRecords: 50, maxPerSet: 4, maxTtlSeconds: 7200 };
const a = (address: string, ttl = 120, flush = false): Answer => ({ name: 'Printer.local', type: 'A', ttl, flush, data: address });

describe('the mDNS record cache (RFC 6762 §10)', () => {
  it('expires records at their TTL', () => {
    const cache = new MdnsCache(limits);
    expect(cache.add(a('10.0.0.1', 2), 0, '10.0.0.1')).toBe('added');
    expect(cache.get('printer.local', 'A', 1999).map((r) => r.data)).toEqual(['10.0.0.1']);
    expect(cache.expire(2000)).toEqual(new Set(['printer.local']));
    expect(cache.get('printer.local', 'A', 2000)).toEqual([]);
    expect(cache.size).toBe(0);
  });

  it('a goodbye (TTL 0) removes a record one second later; an unknown goodbye is ignored', () => {
    const cache = new MdnsCache(limits);
    cache.add(a('10.0.0.1'), 0, 'x');
    expect(cache.add(a('10.0.0.9', 0), 10, 'x')).toBe('ignored');
    expect(cache.add(a('10.0.0.1', 0), 10, 'x')).toBe('goodbye');
    expect(cache.get('printer.local', 'A', 500)[0]?.goodbye).toBe(true);
    cache.expire(1010);
    expect(cache.get('printer.local', 'A', 1010)).toEqual([]);
  });

  it('the cache-flush bit retires older records of the name a second later: a moved printer is followed', () => {
    const cache = new MdnsCache(limits);
    cache.add(a('10.0.0.1', 120, true), 0, 'x');
    cache.add(a('10.0.0.2', 120, true), 5000, 'x');
    expect(cache.get('printer.local', 'A', 5500).map((r) => r.data)).toEqual(['10.0.0.2', '10.0.0.1']);
    cache.expire(6001);
    expect(cache.get('printer.local', 'A', 6001).map((r) => r.data)).toEqual(['10.0.0.2']);
  });

  it('records of one packet do not flush each other', () => {
    const cache = new MdnsCache(limits);
    cache.add(a('10.0.0.1', 120, true), 0, 'x');
    cache.add(a('10.0.0.2', 120, true), 0, 'x');
    cache.expire(2000);
    expect(cache.get('printer.local', 'A', 2000)).toHaveLength(2);
  });

  it('without the flush bit the newest comes first and the old one lives out its TTL', () => {
    const cache = new MdnsCache(limits);
    cache.add(a('10.0.0.1'), 0, 'x');
    cache.add(a('10.0.0.2'), 1000, 'x');
    expect(cache.get('printer.local', 'A', 2000).map((r) => r.data)).toEqual(['10.0.0.2', '10.0.0.1']);
  });

  it('is bounded per set and in total, and shortens hostile TTLs', () => {
    const cache = new MdnsCache(limits);
    const results = Array.from({ length: 6 }, (_, i) => cache.add(a(`10.0.0.${i}`), 0, 'x'));
    expect(results).toEqual(['added', 'added', 'added', 'added', 'full', 'full']);
    for (let i = 0; i < 100; i += 1) cache.add({ name: `h${i}.local`, type: 'A', ttl: 120, data: '10.1.1.1' }, 0, 'x');
    expect(cache.size).toBe(50);
    const forever = new MdnsCache(limits);
    forever.add(a('10.0.0.1', 2 ** 31 - 1), 0, 'x');
    expect(forever.get('printer.local', 'A', 0)[0]?.expiresAt).toBe(7200 * 1000);
  });

  it('keeps TXT strings raw and SRV target and port', () => {
    const cache = new MdnsCache(limits);
    cache.add({ name: 'P._ipp._tcp.local', type: 'TXT', ttl: 4500, data: [Buffer.from('rp=ipp/print'), Buffer.from('UUID=x')] }, 0, 'x');
    cache.add({ name: 'P._ipp._tcp.local', type: 'SRV', ttl: 120, data: { target: 'p.local', port: 631, priority: 0, weight: 0 } }, 0, 'x');
    expect(cache.get('p._ipp._tcp.local', 'TXT', 1)[0]?.data).toEqual([Buffer.from('rp=ipp/print'), Buffer.from('UUID=x')]);
    expect(cache.get('p._ipp._tcp.local', 'SRV', 1)[0]?.data).toEqual({ target: 'p.local', port: 631 });
  });
});
