import { describe, expect, it } from 'vitest';
import { applyClientActions, firstContactRequests, needsFirstContact } from '../../../src/cloudprnt/client-actions.js';
import type { CloudPrntDeviceInfo } from '../../../src/cloudprnt/cloudprnt-store.js';

const blank: CloudPrntDeviceInfo = {
  mac: '00:11:62:1d:9a:b7', groupPath: 'store1', clientType: null, clientVersion: null, paperWidthMM: null, printWidthMM: null,
  dotsPerMM: null, pollSeconds: null, encodings: null,
};

describe('CloudPRNT client actions', () => {
  it('asks what the gateway needs on first contact, and stops asking once it knows', () => {
    expect(firstContactRequests().map((action) => action.request)).toEqual(['ClientType', 'ClientVersion', 'PageInfo', 'GetPollInterval', 'Encodings']);
    expect(firstContactRequests().every((action) => action.options === '')).toBe(true);
    expect(needsFirstContact(null)).toBe(true);
    expect(needsFirstContact(blank)).toBe(true);
    expect(needsFirstContact({ ...blank, clientType: 'Star mC-Print3', printWidthMM: 72, pollSeconds: 5 })).toBe(false);
  });

  it('folds the answers in: page widths as strings, poll interval, encodings', () => {
    const info = applyClientActions(blank, [
      { request: 'ClientType', result: 'Star mC-Print2' },
      { request: 'ClientVersion', result: '3.6.0' },
      { request: 'PageInfo', result: { paperWidth: '58', printWidth: '48', horizontalResolution: '8', verticalResolution: '8' } },
      { request: 'GetPollInterval', result: '5' },
      { request: 'Encodings', result: 'application/vnd.star.starprnt; image/png;text/plain;bad type' },
    ]);
    expect(info).toEqual({
      ...blank, clientType: 'Star mC-Print2', clientVersion: '3.6.0', paperWidthMM: 58, printWidthMM: 48, dotsPerMM: 8, pollSeconds: 5,
      encodings: ['application/vnd.star.starprnt', 'image/png', 'text/plain'],
    });
  });

  it('accepts PageInfo sent as a JSON string and numbers, and ignores unknown or malformed answers', () => {
    expect(applyClientActions(blank, [{ request: 'PageInfo', result: '{"paperWidth":80,"printWidth":72,"horizontalResolution":8}' }])).toMatchObject({
      paperWidthMM: 80, printWidthMM: 72, dotsPerMM: 8,
    });
    const known = { ...blank, clientType: 'Star mC-Print3', pollSeconds: 5 };
    expect(applyClientActions(known, [null, 'x', { request: 'Firmware', result: '1' }, { request: 'GetPollInterval', result: '-1' }, { request: 'ClientType', result: '' }, { request: 'PageInfo', result: '{oops' }])).toEqual(known);
    expect(applyClientActions(known, 'not an array')).toEqual(known);
  });
});
