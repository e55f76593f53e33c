import { describe, expect, it } from 'vitest';
import { mediaOffers } from '../../../src/cloudprnt/media-offers.js';

const rendered = { mediaType: 'application/vnd.star.starprnt', bytes: new Uint8Array([0x1b, 0x40]) };
const text = { contentType: 'text/plain', body: new Uint8Array([0x68, 0x69]), plain: true };

describe('CloudPRNT media offers', () => {
  it('offers the rendered stream first, then a plain text or image document as it is', () => {
    expect([...mediaOffers(rendered, text, null).keys()]).toEqual(['application/vnd.star.starprnt', 'text/plain']);
    expect(mediaOffers(rendered, text, null).get('text/plain')).toBe(text.body);
    expect([...mediaOffers(rendered, { ...text, contentType: 'image/png' }, null).keys()]).toEqual(['application/vnd.star.starprnt', 'image/png']);
  });

  it('offers only the rendered stream when the document would lose options or the printer cannot print it itself', () => {
    expect([...mediaOffers(rendered, { ...text, plain: false }, null).keys()]).toEqual(['application/vnd.star.starprnt']);
    expect([...mediaOffers(rendered, { ...text, contentType: 'text/vnd.star.markup' }, null).keys()]).toEqual(['application/vnd.star.starprnt']);
    expect([...mediaOffers(rendered, null, null).keys()]).toEqual(['application/vnd.star.starprnt']);
  });

  it('puts the types the printer said it accepts first', () => {
    const line = { mediaType: 'application/vnd.star.line', bytes: new Uint8Array([1]) };
    expect([...mediaOffers(line, text, ['text/plain', 'image/png']).keys()]).toEqual(['text/plain', 'application/vnd.star.line']);
    expect([...mediaOffers(rendered, text, ['application/vnd.star.starprnt', 'text/plain']).keys()]).toEqual(['application/vnd.star.starprnt', 'text/plain']);
  });
});
