import { describe, expect, it } from 'vitest';
import { cleanText } from '../../../src/discovery/clean-text.js';
import { parseIeee1284Id } from '../../../src/discovery/ieee1284-id.js';
import { decodeTxt, encodeTxt, txtValue } from '../../../src/discovery/txt-record.js';

const strings = (...items: (string | Buffer)[]): Buffer[] => items.map((item) => (Buffer.isBuffer(item) ? item : Buffer.from(item)));

describe('TXT records from raw bytes (RFC 6763 6.4)', () => {
  it('keys are case-insensitive, the first wins, values keep "=", bare keys are true, key= is empty', () => {
    const { txt, problems } = decodeTxt(strings('UUID=abc', 'uuid=ignored', 'note=', 'Color', 'URF=W8,SRGB24', 'x=a=b=c', ''));
    expect(txt).toEqual({ uuid: 'abc', note: '', color: true, urf: 'W8,SRGB24', x: 'a=b=c' });
    expect(problems).toEqual([]);
    expect(txtValue(txt, 'UUID')).toBe('abc');
    expect(txtValue(txt, 'note')).toBeUndefined();
  });

  it('drops strings without a printable key and control characters in values, and says so', () => {
    const { txt, problems } = decodeTxt(strings('=novalue', Buffer.from([0x01, 0x3d, 0x41]), 'ty=Evil\u0007\u001b[31mPrinter\u202e'));
    expect(txt).toEqual({ ty: 'Evil [31mPrinter' });
    expect(problems).toEqual(['TXT string without a printable key skipped']);
  });

  it('is bounded in bytes and keys', () => {
    const many = Array.from({ length: 200 }, (_, i) => `k${i}=${'v'.repeat(20)}`);
    const bytes = decodeTxt(strings(...many), { maxBytes: 500, maxKeys: 64, maxValueChars: 255 });
    expect(Object.keys(bytes.txt).length).toBeLessThan(25);
    expect(bytes.problems[0]).toMatch(/longer than 500 bytes/);
    const keys = decodeTxt(strings(...many), { maxBytes: 100_000, maxKeys: 10, maxValueChars: 255 });
    expect(Object.keys(keys.txt)).toHaveLength(10);
    expect(keys.problems[0]).toMatch(/more than 10 TXT keys/);
  });

  it('encodes what it decodes', () => {
    expect(decodeTxt(encodeTxt({ path: '/', api: 'star-v1', flag: true })).txt).toEqual({ path: '/', api: 'star-v1', flag: true });
  });
});

describe('cleaned text and IEEE 1284 ids', () => {
  it('removes control characters and direction overrides, collapses spaces, bounds the length', () => {
    expect(cleanText('  A\u0000B\n\tC\u202eD\u0085 ')).toBe('A B C D');
    expect(cleanText('é'.repeat(300), 10)).toBe('é'.repeat(10));
    expect(Array.from(cleanText('😀'.repeat(5), 3))).toHaveLength(3);
  });

  it('parses fields by their long and short names, splits CMD, tolerates garbage', () => {
    const id = parseIeee1284Id('MANUFACTURER:EPSON;COMMAND SET:ESC/POS, escpos;MDL:TM-T88V;CLS:PRINTER;SN:X1;junk;:x;');
    expect(id).toMatchObject({ manufacturer: 'EPSON', model: 'TM-T88V', commandSets: ['ESC/POS', 'ESCPOS'], serial: 'X1' });
    expect(parseIeee1284Id('\u0000\u0001;;;')).toMatchObject({ manufacturer: null, model: null, commandSets: [] });
    expect(Object.keys(parseIeee1284Id(Array.from({ length: 100 }, (_, i) => `K${i}:v`).join(';')).fields).length).toBeLessThanOrEqual(32);
  });
});
