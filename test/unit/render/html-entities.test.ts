import { describe, expect, it } from 'vitest';
import { decodeEntities } from '../../../drivers/render/html-entities.js';

describe('decodeEntities', () => {
  it('decodes the five XML entities, &nbsp; and &euro;', () => {
    expect(decodeEntities('&amp; &lt; &gt; &quot; &apos;')).toBe('& < > " \'');
    expect(decodeEntities('5&nbsp;&euro;')).toBe('5\u00a0€');
  });

  it('decodes decimal and hexadecimal references, with or without the semicolon', () => {
    expect(decodeEntities('&#8364; &#x20AC; &#x20ac; &#65;&#66')).toBe('€ € € AB');
  });

  it('maps &#128;…&#159; to Windows-1252 as browsers do, and invalid numbers to U+FFFD', () => {
    expect(decodeEntities('&#128;&#150;&#153;')).toBe('€–™');
    expect(decodeEntities('&#0;|&#xD800;|&#x110000;|&#99999999999999999999;')).toBe('\uFFFD|\uFFFD|\uFFFD|\uFFFD');
  });

  it('knows the whole Latin-1 set in order, and the common typographic names', () => {
    expect(decodeEntities('&nbsp;&iexcl;&times;&divide;&yuml;&szlig;&Auml;&ouml;&eacute;')).toBe('\u00a0¡×÷ÿßÄöé');
    expect(decodeEntities('&copy;&reg;&deg;&plusmn;&frac12;&middot;&pound;&yen;&cent;&sect;')).toBe('©®°±½·£¥¢§');
    expect(decodeEntities('&ndash;&mdash;&lsquo;&rsquo;&ldquo;&rdquo;&hellip;&bull;&trade;&rarr;')).toBe('–—‘’“”…•™→');
  });

  it('accepts the legacy names without a semicolon, also glued to a word in text (not in attributes)', () => {
    expect(decodeEntities('a &amp b &copy 2026')).toBe('a & b © 2026');
    expect(decodeEntities('&copy2026 &ampx')).toBe('©2026 &x');
    expect(decodeEntities('?a=1&copy2026', true)).toBe('?a=1&copy2026');
    expect(decodeEntities('?a=1&copy=2', true)).toBe('?a=1&copy=2');
    expect(decodeEntities('Tom &amp Jerry &copy', true)).toBe('Tom & Jerry ©');
  });

  it('leaves unknown names, bare ampersands and non-legacy names without semicolon as written', () => {
    expect(decodeEntities('&bogus; & &; &#; &#x; &euro &hellip')).toBe('&bogus; & &; &#; &#x; &euro &hellip');
    expect(decodeEntities('AT&T')).toBe('AT&T');
  });

  it('does not treat Object prototype names as entities', () => {
    expect(decodeEntities('&constructor; &toString; &__proto__;')).toBe('&constructor; &toString; &__proto__;');
  });
});
