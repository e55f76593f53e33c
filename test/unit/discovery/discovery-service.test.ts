import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../drivers/profiles/find-profile.js';
import type { ListedDevice } from '../../../src/driver-api/index.js';
import type { DeviceInfo, LostReason } from '../../../src/discovery/device-info.js';
import { DiscoveryService } from '../../../src/discovery/discovery-service.js';
import type { BrowserListener, MdnsService } from '../../../src/discovery/mdns-service.js';
import { waitFor } from '../../helpers/wait-for.js';

/**
 * The service's bookkeeping with sources in memory (the mDNS layer and the ports themselves are
 * tested against real peers in test/integration/discovery-*.test.ts).
 */
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

interface Harness {
  service: DiscoveryService;
  mdns: BrowserListener;
  usb: ListedDevice[];
  events: string[];
  probes: string[];
}

async function harness(ipp: (uri: string) => Promise<Record<string, unknown>> = () => Promise.reject(new Error('no IPP here'))): Promise<Harness> {
  const state: Partial<Harness> & { usb: ListedDevice[]; events: string[]; probes: string[] } = { usb: [], events: [], probes: [] };
  const service = new DiscoveryService({
    config: { discovery: { interfaces: ['eth0'], serial: false, usb: true, probeSeconds: 30 } },
    log: silent,
    sources: {
      mdns: (listener) => {
        state.mdns = listener;
        return { start: () => undefined, stop: async () => undefined };
      },
      local: [{ source: 'usb', list: async () => state.usb }],
      ipp: (uri) => {
        state.probes.push(uri);
        return ipp(uri);
      },
    },
    profiles: PROFILES,
    isOwnService: (key) => key.startsWith('printgate on box'),
    localPollMs: 50,
  });
  service.on('found', (d: DeviceInfo) => state.events.push(`found ${d.identity} ${d.uri}`));
  service.on('updated', (d: DeviceInfo) => state.events.push(`updated ${d.identity} ${d.uri}`));
  service.on('lost', (d: DeviceInfo, reason: LostReason) => state.events.push(`lost ${d.identity} ${reason}`));
  await service.start();
  return Object.assign(state, { service }) as Harness;
}

const raw = (address: string, txt: MdnsService['txt'] = { uuid: '6f1c2f00-0000-4000-8000-00000000aa01', pdl: 'application/vnd.escpos' }): MdnsService => ({
  interface: 'eth0',
  type: '_pdl-datastream._tcp',
  instance: 'Raw',
  key: 'raw._pdl-datastream._tcp.local',
  host: 'raw.local',
  port: 9100,
  addresses: [address],
  addressFrom: 'answer',
  txt,
  txtProblems: [],
});

describe('DiscoveryService', () => {
  it('a network printer is found, followed to a new address under the same identity, and lost on goodbye', async () => {
    const h = await harness();
    h.mdns.up(raw('10.0.0.20'));
    h.mdns.update(raw('10.0.0.21'), raw('10.0.0.20'));
    h.mdns.down(raw('10.0.0.21'), 'goodbye');
    expect(h.events).toEqual([
      'found uuid:6f1c2f00-0000-4000-8000-00000000aa01 socket://10.0.0.20:9100',
      'updated uuid:6f1c2f00-0000-4000-8000-00000000aa01 socket://10.0.0.21:9100',
      'lost uuid:6f1c2f00-0000-4000-8000-00000000aa01 goodbye',
    ]);
    await h.service.stop();
  });

  it('an IPP service without TXT UUID waits for its probe and takes printer-uuid; its _ipps sibling joins it', async () => {
    let answer: (value: Record<string, unknown>) => void = () => undefined;
    const h = await harness(() => new Promise((resolve) => (answer = resolve)));
    const ipp: MdnsService = { ...raw('10.0.0.10', { rp: 'ipp/print' }), type: '_ipp._tcp', instance: 'Office', key: 'office._ipp._tcp.local', port: 631 };
    h.mdns.up(ipp);
    h.mdns.up({ ...ipp, type: '_ipps._tcp', key: 'office._ipps._tcp.local' });
    expect(h.events).toEqual([]);
    expect(h.probes).toEqual(['ipp://10.0.0.10:631/ipp/print']);
    answer({ 'printer-uuid': 'urn:uuid:d8277f28-1415-3757-5e71-a9528c215c0c', 'document-format-supported': ['application/pdf'], 'printer-state': 3 });
    await waitFor('the probed printer', () => h.events.length > 0, 2000);
    expect(h.events).toEqual(['found uuid:d8277f28-1415-3757-5e71-a9528c215c0c ipp://10.0.0.10:631/ipp/print']);
    expect(h.service.devices()[0]).toMatchObject({ source: 'ipp', language: 'pdf', otherUris: ['ipps://10.0.0.10:631/ipp/print?insecure=1'], ipp: { state: 'idle' } });
    await h.service.stop();
  });

  it('an IPP printer that answers garbage is still reported from what mDNS said, with the reason', async () => {
    const h = await harness(() => Promise.reject(new Error('the answer is not IPP')));
    h.mdns.up({ ...raw('10.0.0.10', { rp: 'ipp/print', ty: 'EPSON TM-m30', pdl: 'application/vnd.escpos' }), type: '_ipp._tcp', instance: 'Bar', key: 'bar._ipp._tcp.local', port: 631 });
    await waitFor('the printer', () => h.service.devices().length > 0, 2000);
    expect(h.service.devices()[0]).toMatchObject({ source: 'mdns', identity: 'mdns:bar', identityQuality: 'name', ippError: 'the answer is not IPP', profile: 'epson-tm-m30', language: 'escpos' });
    await h.service.stop();
  });

  it('two printers that share an instance name on different hosts stay two devices', async () => {
    const h = await harness(async () => ({ 'printer-uuid': 'urn:uuid:d8277f28-1415-3757-5e71-a9528c215c0c' }));
    h.mdns.up({ ...raw('10.0.0.20', { pdl: 'application/vnd.escpos' }), instance: 'Till', key: 'till._pdl-datastream._tcp.local', host: 'a.local' });
    h.mdns.up({ ...raw('10.0.0.30', { rp: 'ipp/print' }), type: '_ipp._tcp', instance: 'Till', key: 'till._ipp._tcp.local', host: 'b.local', port: 631 });
    await waitFor('both printers', () => h.service.devices().length === 2, 2000);
    expect(h.service.devices().map((device) => device.identity).sort()).toEqual(['mdns:till', 'uuid:d8277f28-1415-3757-5e71-a9528c215c0c']);
    await h.service.stop();
  });

  it("the box's own services are not printers", async () => {
    const h = await harness();
    h.mdns.up({ ...raw('10.0.0.2'), key: 'printgate on box._pdl-datastream._tcp.local' });
    expect(h.events).toEqual([]);
    await h.service.stop();
  });

  it('USB: found, re-plugged on another port under the same identity (updated), unplugged (lost)', async () => {
    const h = await harness();
    const lp = (n: number, port: string): ListedDevice => ({
      scheme: 'usb',
      uri: 'usb:04b8:0202/J6XF012345',
      path: `/dev/usb/lp${n}`,
      vendorId: '04b8',
      productId: '0202',
      serial: 'J6XF012345',
      serialSource: 'usb',
      ieee1284Id: 'MFG:EPSON;CMD:ESC/POS;MDL:TM-T88V;',
      location: port,
    });
    h.usb.push(lp(0, '1-1'));
    await waitFor('found', () => h.events.length === 1, 2000);
    h.usb.splice(0, 1, lp(2, '1-4'));
    await waitFor('updated', () => h.events.length === 2, 2000);
    h.usb.length = 0;
    await waitFor('lost', () => h.events.length === 3, 2000);
    expect(h.events).toEqual(['found usb:04b8:0202:J6XF012345 usb:04b8:0202/J6XF012345', 'updated usb:04b8:0202:J6XF012345 usb:04b8:0202/J6XF012345', 'lost usb:04b8:0202:J6XF012345 unplugged']);
    await h.service.stop();
  });
});
