import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { canonicalCharset, decodeText, SUPPORTED_CHARSETS } from '../../../src/driver-api/index.js';

describe('charsets', () => {
  it('names the charsets issue 16 asks for, canonical and lower case', () => {
    for (const name of ['utf-8', 'iso-8859-1', 'iso-8859-15', 'windows-1250', 'windows-1251', 'windows-1252', 'shift_jis']) {
      expect(SUPPORTED_CHARSETS).toContain(name);
    }
    expect(SUPPORTED_CHARSETS.every((name) => name === name.toLowerCase() && canonicalCharset(name) === name)).toBe(true);
  });

  it.each([
    ['UTF-8', 'utf-8'],
    ['utf8', 'utf-8'],
    ['"ISO-8859-1"', 'iso-8859-1'],
    ['latin1', 'iso-8859-1'],
    ['ISO_8859-1:1987', 'iso-8859-1'],
    ['Latin-9', 'iso-8859-15'],
    ['cp1252', 'windows-1252'],
    ['Windows-1250', 'windows-1250'],
    ['Shift-JIS', 'shift_jis'],
    ['SJIS', 'shift_jis'],
    ['windows-31j', 'shift_jis'],
  ])('canonicalCharset(%s) = %s', (label, canonical) => {
    expect(canonicalCharset(label)).toBe(canonical);
  });

  it('knows no charset it cannot decode', () => {
    expect(canonicalCharset('klingon-1')).toBeNull();
    expect(canonicalCharset('')).toBeNull();
    expect(() => decodeText(Buffer.from('x'), 'klingon-1')).toThrow(TypeError);
  });

  it.each([
    ['iso-8859-1', 'Größe: 5 °C, ½ Preis'],
    ['iso-8859-15', 'Größe 5 € œuvre'],
    ['windows-1250', 'Žluťoučký kůň, Łódź'],
    ['windows-1251', 'Съешь же ещё этих булок'],
    ['windows-1252', 'Preis: 5 € – „gut“'],
    ['shift_jis', '日本語のレシート ｶﾀｶﾅ'],
    ['utf-16le', 'Grüße'],
  ])('decodes %s text back to what was written', (charset, text) => {
    expect(decodeText(iconv.encode(text, charset), charset)).toBe(text);
  });

  it('reads ISO-8859-1 as browsers do: 0x80-0x9F are Windows-1252 (never printable controls)', () => {
    expect(decodeText(Uint8Array.from([0x80, 0x20, 0xe4]), 'iso-8859-1')).toBe('€ ä');
  });

  it('lets a byte-order mark win over the charset and drops it; UTF-8 without either', () => {
    expect(decodeText(Buffer.from('\ufeffGrüße', 'utf8'), 'iso-8859-1')).toBe('Grüße');
    expect(decodeText(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Grüße', 'utf16le')]))).toBe('Grüße');
    expect(decodeText(Buffer.from('Grüße', 'utf8'))).toBe('Grüße');
    expect(decodeText(Uint8Array.from([0x47, 0xe4]))).toBe('G\ufffd');
  });
});
