import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { CLI, Topology, type DiscoverJson, type PeerProcess } from '../peers/discovery-topology.js';
import { gone, ip } from '../../bench/peers/netns.js';

/**
 * A hostile LAN: a host announcing 10,000 services from three addresses with control characters
 * in names and absurd TTLs; another with huge and malformed TXT records and IPP printers that
 * answer garbage, never answer, or never stop answering; undecodable packets from both.
 * Discovery must stay bounded in memory, time and list length, log each problem once, and never
 * crash. (A flood also makes the kernel drop packets, so the two are tested one after the other.
 * The cap of 256 services per interface and the eviction of unresolved ones are unit-tested in
 * test/unit/discovery/interface-browser.test.ts.)
 *   pgd-h-gw  10.213.7.2: printgate discover
 *   pgd-h-bad 10.213.7.30-33: test/peers/hostile-responder.mjs
 */
const topology = new Topology('h');
const GW = topology.ns('gw');
const BAD = topology.ns('bad');
const ADDRESSES = ['10.213.7.30', '10.213.7.31', '10.213.7.32', '10.213.7.33'];
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

beforeAll(async () => {
  await topology.clearLeftovers(['gw', 'bad', 'sw']);
  const lan = topology.segment('sw');
  lan.attach(GW, 'eth0', '10.213.7.2');
  lan.attach(BAD, 'eth0', ADDRESSES[0] as string);
  for (const address of ADDRESSES.slice(1)) ip('-n', BAD, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
}, 60_000);

afterAll(async () => {
  await topology.down();
});

async function hostile(...args: string[]): Promise<PeerProcess> {
  const peer = topology.start(BAD, process.execPath, [path.join(import.meta.dirname, '../peers/hostile-responder.mjs'), ...args]);
  await waitFor('the hostile responder', () => peer.output().includes('hostile responder up'), 10_000, 20);
  return peer;
}

/** Runs discover in the gateway namespace, sampling its peak memory (VmHWM) until it exits. */
async function discoverMeasured(seconds: number): Promise<{ code: number | null; report: DiscoverJson; peakKb: number; ms: number }> {
  const started = Date.now();
  const run = topology.start(GW, process.execPath, [CLI, 'discover', '--json', '--seconds', String(seconds), '--config', topology.config({ discovery: { interfaces: ['eth0'], serial: false, usb: false } })], { PRINTGATE_CONFIG: '' });
  let peakKb = 0;
  const pid = run.child.pid as number;
  const exited = new Promise<number | null>((resolve) => run.child.once('exit', (code) => resolve(code)));
  await waitFor('discover to finish', () => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
    } catch {
      // exited between checks
    }
    return gone(pid);
  }, (seconds + 20) * 1000, 100);
  const code = await exited;
  let report: DiscoverJson;
  try {
    report = JSON.parse(run.stdout()) as DiscoverJson;
  } catch {
    throw new Error(`discover printed no report (exit ${code}): ${run.output().slice(-3000)}`);
  }
  return { code, report, peakKb, ms: Date.now() - started };
}

function expectClean(report: DiscoverJson): void {
  for (const device of report.devices) {
    expect(device.name).not.toMatch(CONTROL);
    for (const [key, value] of Object.entries(device.said)) {
      expect(key).not.toMatch(CONTROL);
      expect(value).not.toMatch(CONTROL);
      expect(value.length).toBeLessThanOrEqual(255);
    }
    expect(Object.keys(device.said).length).toBeLessThanOrEqual(48);
  }
  // Each problem once, however often the responder repeats it.
  expect(new Set(report.notes).size).toBe(report.notes.length);
}

describe('discovery on a hostile network', () => {
  it('10,000 services with control characters and absurd TTLs: a bounded list, cleaned names, bounded memory and time', async () => {
    const flood = await hostile('flood', ADDRESSES.slice(1).join(','), '3334');
    const { code, report, peakKb, ms } = await discoverMeasured(4);
    await flood.stop();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(4000 + 8000);
    expect(peakKb).toBeLessThan(300 * 1024);
    expect(report.devices.length).toBeGreaterThan(0);
    expect(report.devices.length).toBeLessThanOrEqual(256);
    const perResponder = new Map<string, number>();
    for (const device of report.devices) {
      const address = /\/\/([\d.]+):/.exec(device.uri)?.[1] ?? '';
      perResponder.set(address, (perResponder.get(address) ?? 0) + 1);
    }
    expect([...perResponder.values()].every((count) => count <= 64)).toBe(true);
    expectClean(report);
    expect(report.devices.some((device) => device.name.startsWith('evil [2J'))).toBe(true);
    expect(report.notes.filter((note) => note.startsWith('one mDNS responder announces too many services')).length).toBeLessThanOrEqual(3);
  });

  it('huge and malformed TXT, IPP printers answering garbage, nothing, or without end: reported from mDNS with the reason, logged once', async () => {
    const odd = await hostile('odd', ADDRESSES[0] as string);
    const { code, report, ms } = await discoverMeasured(7);
    await odd.stop();
    expect(code).toBe(0);
    expect(ms).toBeLessThan(7000 + 8000);
    expectClean(report);
    const named = (name: string) => report.devices.find((device) => device.name === name);
    expect(named('Malformed TXT')).toMatchObject({ identityQuality: 'name', said: { 'txt.ty': 'true', 'txt.note': 'bell' } });
    expect(Object.keys(named('Huge TXT')?.said ?? {}).filter((key) => key.startsWith('txt.')).length).toBeLessThan(10);
    expect(named('Garbage IPP')).toMatchObject({ source: 'mdns', ippError: 'the answer is not IPP' });
    expect(named('Silent IPP')).toMatchObject({ source: 'mdns', ippError: 'no answer within 5000 ms' });
    expect(named('Endless IPP')).toMatchObject({ source: 'mdns', ippError: 'answer longer than 1048576 bytes' });
    expect(report.notes.some((note) => note.startsWith('malformed or oversized TXT record'))).toBe(true);
    expect(report.notes.filter((note) => note.startsWith('ipp probe failed'))).toHaveLength(3);
  });
});
