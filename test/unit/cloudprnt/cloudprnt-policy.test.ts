import { describe, expect, it } from 'vitest';
import { cloudPrntPolicy, JoinGate } from '../../../src/cloudprnt/cloudprnt-policy.js';
import { parseConfig } from '../../../src/config/load-config.js';
import { AddressList } from '../../../src/net/address-list.js';

describe('CloudPRNT policy from the config', () => {
  const policy = cloudPrntPolicy(
    parseConfig({
      cloudprnt: { autoCreate: { allowedNetworks: ['192.168.1.0/24', 'fd00::/8'], maxDevicesPerGroup: 2, newDevicesPerMinute: 3 }, maxPollSeconds: 30 },
      groups: [{ path: 'legacy', cloudprntDeleteMethod: 'GET' }],
    }),
  );

  it('admits newcomers only from the allowed networks (IPv4-mapped addresses included), up to the group size', () => {
    const gate = new JoinGate(policy, () => 0);
    expect(() => gate.admit('g', '192.168.1.7', 0)).not.toThrow();
    expect(() => gate.admit('g', '::ffff:192.168.1.7', 0)).not.toThrow();
    expect(() => gate.admit('g', 'fd00::12', 0)).not.toThrow();
    expect(() => gate.admit('g', '192.168.2.7', 0)).toThrow(expect.objectContaining({ code: 'CLOUDPRNT_NETWORK_REFUSED' }));
    expect(() => gate.admit('g', '127.0.0.1', 0)).toThrow(expect.objectContaining({ code: 'CLOUDPRNT_NETWORK_REFUSED' }));
    expect(() => gate.admit('g', '192.168.1.7', 2)).toThrow(expect.objectContaining({ code: 'CLOUDPRNT_GROUP_FULL' }));
  });

  it('lets newDevicesPerMinute join, then says when to come back', () => {
    let now = 0;
    const gate = new JoinGate(policy, () => now);
    for (let i = 0; i < 3; i += 1) gate.takeJoin('g');
    expect(() => gate.takeJoin('g')).toThrow(expect.objectContaining({ code: 'CLOUDPRNT_JOIN_RATE', headers: { 'Retry-After': '20' } }));
    now += 20_000;
    expect(() => gate.takeJoin('g')).not.toThrow();
  });

  it('clamps reported poll intervals and names the GET confirmation per group', () => {
    const gate = new JoinGate(policy, () => 0);
    expect([gate.clampPollSeconds(0.2), gate.clampPollSeconds(10), gate.clampPollSeconds(3600), gate.clampPollSeconds(null)]).toEqual([1, 10, 30, null]);
    expect(policy.deleteMethod('legacy')).toBe('GET');
    expect(policy.deleteMethod('store1')).toBe('DELETE');
  });

  it('refuses a config entry that is no network', () => {
    expect(() => parseConfig({ cloudprnt: { autoCreate: { allowedNetworks: ['192.168.1.0/33'] } } })).toThrow(/allowedNetworks/);
    expect(() => new AddressList(['lan'])).toThrow(/not an IP address or a CIDR/);
  });
});
