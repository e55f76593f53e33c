import { describe, expect, it } from 'vitest';
import { cloudPrntMac } from '../../../drivers/transports/cloudprnt-transport.js';
import { macFromUri, normalizeMac, parseDeviceUri } from '../../../src/cloudprnt/cloudprnt-uri.js';

describe('CloudPRNT device URIs', () => {
  it('normalizes MACs to the lower-case colon form printers report', () => {
    expect(normalizeMac('00:11:62:1D:9A:B7')).toBe('00:11:62:1d:9a:b7');
    expect(normalizeMac('00-11-62-1d-9a-b7')).toBe('00:11:62:1d:9a:b7');
    expect(normalizeMac('0011621d9ab7')).toBe('00:11:62:1d:9a:b7');
    for (const bad of ['', '00:11:62:1d:9a', '00:11:62:1d:9a:b7:00', 'zz:11:62:1d:9a:b7', '00:11:62:1d:9a:b7/x']) expect(normalizeMac(bad), bad).toBeNull();
  });

  it('reads the MAC of every accepted cloudprnt: form, and nothing from other schemes', () => {
    for (const uri of ['cloudprnt:00:11:62:1d:9a:b7', 'cloudprnt://00:11:62:1d:9a:b7', 'cloudprnt://00-11-62-1D-9A-B7', 'cloudprnt:0011621d9ab7', 'CLOUDPRNT://00:11:62:1d:9a:b7/']) {
      expect(macFromUri(uri), uri).toBe('00:11:62:1d:9a:b7');
    }
    expect(macFromUri('socket://10.0.0.7:9100')).toBeNull();
    expect(macFromUri('cloudprnt:not-a-mac')).toBeNull();
  });

  it('parses cloudprnt://<mac with colons> (which WHATWG URL rejects) into a URL the transport reads the same MAC from', () => {
    expect(() => new URL('cloudprnt://00:11:62:1d:9a:b7')).toThrow();
    for (const uri of ['cloudprnt://00:11:62:1d:9a:b7', 'cloudprnt:00:11:62:1d:9a:b7', 'cloudprnt://00-11-62-1d-9a-b7']) {
      const url = parseDeviceUri(uri);
      expect(url.protocol).toBe('cloudprnt:');
      expect(cloudPrntMac(url), uri).toBe('00:11:62:1d:9a:b7');
    }
    expect(parseDeviceUri('socket://10.0.0.7:9100').href).toBe('socket://10.0.0.7:9100');
    expect(cloudPrntMac(new URL('cloudprnt:printer'))).toBeNull();
  });
});
