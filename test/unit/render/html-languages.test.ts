import { describe, expect, it } from 'vitest';
import type { Language } from '../../../src/driver-api/index.js';
import { escposLanguage } from '../../../drivers/languages/escpos-language.js';
import { starlineLanguage } from '../../../drivers/languages/starline-language.js';
import { starprntLanguage } from '../../../drivers/languages/starprnt-language.js';
import { zplLanguage } from '../../../drivers/languages/zpl-language.js';
import { findProfile } from '../../../drivers/profiles/find-profile.js';
import { decodeEscPos, decodeStar, eventsOf, printedLines } from '../../helpers/receipt-decoder.js';
import { render } from '../languages/render-cases.js';

const LANGUAGES: [Language, string, typeof decodeEscPos][] = [
  [escposLanguage, 'generic-80mm', decodeEscPos],
  [starprntLanguage, 'star-tsp143-starprnt', decodeStar],
  [starlineLanguage, 'star-tsp143-line', decodeStar],
];

const RECEIPT = '<h2>Order 7</h2><table><tr><td>Tea</td><td>2.00</td></tr></table><hr><ol><li>hot</li></ol><small>fine</small>';

const MALFORMED = [
  '<div><p><b><u><table><tr><td>x<ul><li>y<pre>z',
  '< < <<< a<b c<',
  `<p title="${'x'.repeat(200_000)}">t`,
  `${'<h1><small><u><table><tr><td><ol><li>'.repeat(2_000)}deep`,
  '</div></table></li></td></b>text</html>',
];

describe.each(LANGUAGES)('text/html on %s', (language, profileId, decode) => {
  const profile = findProfile(profileId)!;

  it('accepts text/html', () => {
    expect(language.acceptedTypes).toContain('text/html');
  });

  it('prints the receipt: bold double-height heading, the column line, the rule, the numbered item', async () => {
    const result = await render(language, profile, 'text/html', RECEIPT);
    expect(result.warnings).toEqual([]);
    const events = decode(result.bytes);
    const lines = printedLines(events);
    expect(lines).toContain('Order 7');
    expect(eventsOf(events, 'size')).toContainEqual({ type: 'size', width: 1, height: 2 });
    expect(eventsOf(events, 'bold').map((event) => event.on)).toContain(true);
    const rule = lines.find((line) => /^-+$/.test(line))!;
    expect(lines).toContain(`Tea${' '.repeat(rule.length - 7)}2.00`);
    expect(lines).toContain('1. hot');
    expect(lines).toContain('fine');
    expect(eventsOf(events, 'cut')).toHaveLength(1);
  });

  it.each(MALFORMED.map((html, index) => [index, html] as const))('renders malformed case %i to bytes the decoder reads', async (_index, html) => {
    const result = await render(language, profile, 'text/html', html);
    expect(() => decode(result.bytes)).not.toThrow();
  });

  it('previews an HTML job', async () => {
    const preview = await language.preview!({ body: Buffer.from(RECEIPT), contentType: 'text/html', profile, options: { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' } });
    expect(preview.width).toBeGreaterThan(300);
    expect(preview.height).toBeGreaterThan(100);
  });
});

describe('text/html on zpl', () => {
  it('is not among the types a label printer accepts (answered 415 by the API)', () => {
    expect(zplLanguage.acceptedTypes).not.toContain('text/html');
  });
});
