import { describe, expect, it } from 'vitest';
import { HostCheck, hostOf } from '../../../src/http/host-check.js';

const box = () => ['till-pi', 'till-pi.local', 'localhost', '192.168.1.20', 'fd00::20', '127.0.0.1', '::1'];

describe('hostOf', () => {
  it('takes the host of name, name:port, address:port and [v6]:port, lower case, without a trailing dot', () => {
    expect(hostOf('Till-Pi:8631')).toBe('till-pi');
    expect(hostOf('printgate.local.')).toBe('printgate.local');
    expect(hostOf('192.168.1.20:8631')).toBe('192.168.1.20');
    expect(hostOf('[FD00::20]:8631')).toBe('fd00::20');
    expect(hostOf('[::1]')).toBe('::1');
  });

  it('refuses what is not a host: a bare IPv6 address, spaces, paths, user info, empty', () => {
    for (const value of ['fd00::20', 'a b', 'host/path', 'user@host', '', ':8631', '[not-v6]:1']) expect(hostOf(value), value).toBeNull();
  });
});

describe('HostCheck', () => {
  it("allows the box's names and addresses, loopback, localhost and *.local, nothing else by default", () => {
    const check = new HostCheck({ allowedHosts: [], boxNames: box, nowMs: () => 0 });
    for (const host of ['till-pi', 'till-pi.local:8631', 'localhost', 'app.localhost', 'kitchen.local', '192.168.1.20:8631', '[fd00::20]:8631', '127.0.0.5', '[::1]:1'])
      expect(check.allows(host), host).toBe(true);
    for (const host of ['evil.example', 'till-pi.evil.example', '192.168.1.21', '.local', 'local', '[fd00::21]', 'localhost.evil.example'])
      expect(check.allows(host), host).toBe(false);
  });

  it('adds server.allowedHosts (names, *.suffix, addresses, networks) and server.tls.hostnames; "*" allows any', () => {
    const check = new HostCheck({ allowedHosts: ['pos.shop.lan', '*.shop.example', '10.8.0.0/16', '203.0.113.7'], extraNames: ['gw.example.net'], boxNames: box, nowMs: () => 0 });
    for (const host of ['pos.shop.lan', 'a.b.shop.example', '10.8.3.4:8631', '203.0.113.7', 'gw.example.net']) expect(check.allows(host), host).toBe(true);
    for (const host of ['shop.example', 'shop.lan', '10.9.0.1', '203.0.113.8']) expect(check.allows(host), host).toBe(false);
    expect(new HostCheck({ allowedHosts: ['*'], boxNames: box }).allows('anything.example')).toBe(true);
  });

  it('reads the box names again for an unknown host (a new DHCP address), at most once a second', () => {
    let now = 0;
    let names = box();
    let reads = 0;
    const check = new HostCheck({ allowedHosts: [], boxNames: () => (reads++, names), nowMs: () => now });
    expect(check.allows('192.168.1.20')).toBe(true);
    names = [...box(), '192.168.1.99'];
    now = 500;
    expect(check.allows('192.168.1.99')).toBe(false);
    now = 2000;
    expect(check.allows('192.168.1.99')).toBe(true);
    expect(reads).toBe(2);
    for (let i = 0; i < 100; i += 1) check.allows('evil.example');
    expect(reads).toBe(2);
  });
});
