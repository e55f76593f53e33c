import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../../drivers/profiles/find-profile.js';
import { describeDevice } from '../../../src/discovery/describe-device.js';
import { networkIdentity } from '../../../src/discovery/device-identity.js';
import { ippFactsOf } from '../../../src/discovery/ipp-facts.js';
import type { MdnsService } from '../../../src/discovery/mdns-service.js';
import { networkDeviceFacts, serviceUri } from '../../../src/discovery/network-device.js';

const service = (partial: Partial<MdnsService>): MdnsService => ({
  interface: 'eth0',
  type: '_pdl-datastream._tcp',
  instance: 'EPSON TM-T88V',
  key: 'epson tm-t88v._pdl-datastream._tcp.local',
  host: 'tm.local',
  port: 9100,
  addresses: ['10.0.0.7'],
  addressFrom: 'answer',
  txt: {},
  txtProblems: [],
  ...partial,
});

describe('network devices from DNS-SD services and IPP attributes', () => {
  it('URIs per service type: IPv4 first, rp as the path, ipps accepting the printer certificate', () => {
    expect(serviceUri(service({ addresses: ['fe80::1', '10.0.0.7'] }))).toBe('socket://10.0.0.7:9100');
    expect(serviceUri(service({ type: '_ipp._tcp', port: 631, txt: { rp: 'ipp/print' } }))).toBe('ipp://10.0.0.7:631/ipp/print');
    expect(serviceUri(service({ type: '_ipps._tcp', port: 443, txt: {} }))).toBe('ipps://10.0.0.7:443/ipp/print?insecure=1');
    expect(serviceUri(service({ addresses: ['2001:db8::7'] }))).toBe('socket://[2001:db8::7]:9100');
    expect(serviceUri(service({ addresses: ['fe80::7'] }))).toBeNull();
  });

  it('a raw printer: TXT ty/usb_MDL choose the profile, pdl the language, and make and model come from usb_MFG/usb_MDL', () => {
    const raw = service({ txt: { ty: 'EPSON TM-T88V', usb_mfg: 'EPSON', usb_mdl: 'TM-T88V', pdl: 'application/vnd.escpos', uuid: '6f1c2f00-0000-4000-8000-00000000aa01' } });
    const identity = networkIdentity({ txtUuid: '6f1c2f00-0000-4000-8000-00000000aa01', instance: raw.instance });
    const info = describeDevice(networkDeviceFacts(identity, [raw], null, null)!, PROFILES, new Date(0));
    expect(info).toMatchObject({
      source: 'mdns',
      uri: 'socket://10.0.0.7:9100',
      make: 'EPSON',
      model: 'TM-T88V',
      language: 'escpos',
      documentFormat: 'application/vnd.escpos',
      profile: 'epson-tm-t88',
      identityQuality: 'uuid',
    });
    expect(info.said['txt.ty']).toBe('EPSON TM-T88V');
  });

  it('an IPP printer: the IPP answer wins over TXT, the other services become other URIs', () => {
    const ipp = service({ type: '_ipp._tcp', key: 'z._ipp._tcp.local', port: 631, txt: { rp: 'ipp/print', pdl: 'application/pdf' } });
    const ipps = service({ type: '_ipps._tcp', key: 'z._ipps._tcp.local', port: 631, txt: { rp: 'ipp/print' } });
    const facts = ippFactsOf({
      'printer-uuid': 'urn:uuid:d8277f28-1415-3757-5e71-a9528c215c0c',
      'printer-make-and-model': 'Zebra ZD410-203dpi ZPL',
      'printer-device-id': 'MFG:Zebra Technologies;CMD:ZPL,PDF;MDL:ZTC ZD410-203dpi ZPL;',
      'document-format-supported': ['application/pdf', 'application/vnd.zebra-zpl'],
      'printer-resolution-supported': [203, 203, 'dpi'],
      'printer-state': 'idle',
    });
    const info = describeDevice(networkDeviceFacts(networkIdentity({ ippUuid: facts.uuid, instance: 'z' }), [ipps, ipp], facts, null)!, PROFILES, new Date(0));
    expect(info).toMatchObject({
      source: 'ipp',
      uri: 'ipp://10.0.0.7:631/ipp/print',
      otherUris: ['ipps://10.0.0.7:631/ipp/print?insecure=1'],
      make: 'Zebra Technologies',
      model: 'ZTC ZD410-203dpi ZPL',
      language: 'zpl',
      documentFormat: 'application/vnd.zebra-zpl',
      profile: 'zebra-203dpi',
      ipp: { state: 'idle', resolutions: ['203x203dpi'] },
    });
  });

  it('an unknown device is unknown, with what it said', () => {
    const odd = service({ instance: 'Mystery', txt: { ty: 'Brand X 9000', note: 'back office' } });
    const info = describeDevice(networkDeviceFacts(networkIdentity({ instance: 'Mystery' }), [odd], null, null)!, PROFILES, new Date(0));
    expect(info).toMatchObject({ language: 'unknown', profile: 'unknown', identityQuality: 'name', said: { 'txt.ty': 'Brand X 9000', 'txt.note': 'back office' } });
  });
});
