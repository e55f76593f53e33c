import type { Answer } from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { answersFor, checkService, hostLabel, hostRecords, instanceLabel, serviceRecords, wantsUnicast } from '../../../src/discovery/mdns-records.js';

const ipp = { instance: 'Kitchen', type: '_ipp._tcp', port: 8632, txt: { rp: 'ipp/print/k1', UUID: '11111111-2222-3333-4444-555555555555' }, subtypes: ['_print', '_universal'] };
const owned = (): Answer[] => {
  const { shared, unique } = serviceRecords(ipp, 'box.local');
  return [...shared, ...unique, ...hostRecords('box.local', '10.0.0.2')];
};

describe('records the advertiser announces and answers with', () => {
  it('a service is PTR (type, subtypes, service list), SRV and TXT with the flush bit, and the host A record', () => {
    const records = owned();
    expect(records.map((r) => `${r.type} ${r.name}`)).toEqual([
      'PTR _ipp._tcp.local',
      'PTR _print._sub._ipp._tcp.local',
      'PTR _universal._sub._ipp._tcp.local',
      'PTR _services._dns-sd._udp.local',
      'SRV Kitchen._ipp._tcp.local',
      'TXT Kitchen._ipp._tcp.local',
      'A box.local',
    ]);
    expect(records.filter((r) => (r as { flush?: boolean }).flush).map((r) => r.type)).toEqual(['SRV', 'TXT', 'A']);
    expect(serviceRecords(ipp, 'box.local', 0).unique.every((r) => (r as { ttl?: number }).ttl === 0)).toBe(true);
  });

  it('a PTR question gets the PTR with SRV, TXT and A as additionals; a subtype question too', () => {
    for (const name of ['_ipp._tcp.local', '_universal._sub._ipp._tcp.local']) {
      const { answers, additionals } = answersFor([{ name, type: 'PTR' }], [], owned());
      expect(answers.map((r) => r.type)).toEqual(['PTR']);
      expect(additionals.map((r) => r.type)).toEqual(['SRV', 'TXT', 'A']);
    }
    expect(answersFor([{ name: '_printer._tcp.local', type: 'PTR' }], [], owned()).answers).toEqual([]);
    expect(answersFor([{ name: 'BOX.local', type: 'A' }], [], owned()).answers.map((r) => (r.type === 'A' ? r.data : r))).toEqual(['10.0.0.2']);
    expect(answersFor([{ name: 'kitchen._ipp._tcp.local', type: 'ANY' as never }], [], owned()).answers.map((r) => r.type)).toEqual(['SRV', 'TXT']);
  });

  it('leaves out answers the querier knows with half their TTL left (known-answer suppression)', () => {
    const known: Answer[] = [{ name: '_ipp._tcp.local', type: 'PTR', ttl: 4000, data: 'kitchen._ipp._tcp.local' }];
    expect(answersFor([{ name: '_ipp._tcp.local', type: 'PTR' }], known, owned()).answers).toEqual([]);
    const stale: Answer[] = [{ name: '_ipp._tcp.local', type: 'PTR', ttl: 100, data: 'Kitchen._ipp._tcp.local' }];
    expect(answersFor([{ name: '_ipp._tcp.local', type: 'PTR' }], stale, owned()).answers).toHaveLength(1);
  });

  it('labels are made safe: no dots or control characters, at most 63 bytes', () => {
    expect(instanceLabel('printgate 0.1 on\u0007box')).toBe('printgate 0 1 on box');
    expect(Buffer.byteLength(instanceLabel('ü'.repeat(60)))).toBeLessThanOrEqual(63);
    expect(hostLabel('My_Box.example')).toBe('my-box-example');
  });

  it('rejects services it could not announce correctly', () => {
    expect(() => checkService({ ...ipp, type: 'ipp' })).toThrow(/not _name._tcp/);
    expect(() => checkService({ ...ipp, txt: { note: 'x'.repeat(300) } })).toThrow(/longer than 255 bytes/);
    expect(() => checkService({ ...ipp, port: 0 })).toThrow(/port/);
  });

  it('reads the unicast-response bit dns-packet leaves in the class', () => {
    expect(wantsUnicast({ name: 'x', type: 'PTR', class: 'IN' })).toBe(false);
    expect(wantsUnicast({ name: 'x', type: 'PTR', class: 'UNKNOWN_32769' as never })).toBe(true);
  });
});
