import { describe, expect, it } from 'vitest';
import { zplLanguage } from '../../../drivers/languages/zpl-language.js';
import { findProfile } from '../../../drivers/profiles/find-profile.js';
import { expectGolden } from '../../helpers/golden.js';
import { makePdf, makePng } from '../render/document-fixtures.js';
import { framePng, render } from './render-cases.js';

const zebra203 = findProfile('zebra-203dpi')!;
const zebra300 = findProfile('zebra-300dpi')!;

/** Parses ^GFA fields back into their size and rows. */
function graphicFields(zpl: string): { total: number; bytesPerRow: number; rows: string[] }[] {
  return [...zpl.matchAll(/\^GFA,(\d+),(\d+),(\d+),([0-9A-F]+)/g)].map((m) => {
    const bytesPerRow = Number(m[3]);
    const hex = m[4]!;
    expect(hex.length).toBe(Number(m[1]) * 2);
    return { total: Number(m[1]), bytesPerRow, rows: hex.match(new RegExp(`.{${bytesPerRow * 2}}`, 'g'))! };
  });
}

describe('zpl language', () => {
  it('declares its inputs and output format', async () => {
    expect(zplLanguage.acceptedTypes).toEqual([
      'text/plain', 'text/vnd.star.markup', 'image/png', 'image/jpeg', 'application/pdf', 'image/pwg-raster', 'image/urf', 'application/vnd.zebra.zpl', 'application/octet-stream',
    ]);
    expect((await render(zplLanguage, zebra203, 'application/vnd.zebra.zpl', '^XA^XZ')).documentFormat).toBe('application/vnd.zebra.zpl');
  });

  it('passes ZPL through unchanged, once per copy', async () => {
    const label = '^XA^FO50,50^A0N,40,40^FDHello^FS^XZ';
    const result = await render(zplLanguage, zebra203, 'application/vnd.zebra.zpl', label, { copies: 2 });
    expect(Buffer.from(result.bytes).toString()).toBe(label + label);
    expect(result.warnings).toEqual([]);
  });

  it('renders an image 1:1 as a ^GF graphic on a label 832 dots wide (4 inch at 203 dpi), copies as ^PQ', async () => {
    const result = await render(zplLanguage, zebra203, 'image/png', makePng(8, 4, (x) => x < 4), { copies: 3 });
    const zpl = Buffer.from(result.bytes).toString('latin1');
    expect(zpl).toBe('^XA^PW832^LL4^LH0,0^FO0,0^GFA,4,4,1,F0F0F0F0^FS^PQ3^XZ\n');
  });

  it('scales an image to the label width with fit=width', async () => {
    const result = await render(zplLanguage, zebra203, 'image/png', makePng(8, 4, (x) => x < 4), { fit: 'width' });
    const zpl = Buffer.from(result.bytes).toString('latin1');
    expect(zpl.startsWith('^XA^PW832^LL416^LH0,0^FO0,0^GFA,')).toBe(true);
    const [field] = graphicFields(zpl);
    expect(field!.bytesPerRow).toBe(104);
    expect(field!.rows).toHaveLength(416);
    expect(field!.rows[200]).toBe('F'.repeat(104) + '0'.repeat(104));
  });

  it('prints a 1248-dot label at 300 dpi, the image 1:1', async () => {
    const result = await render(zplLanguage, zebra300, 'image/png', framePng());
    const zpl = Buffer.from(result.bytes).toString('latin1');
    expect(zpl.startsWith('^XA^PW1248^LL32^')).toBe(true);
    expect(graphicFields(zpl)[0]!.bytesPerRow).toBe(8);
    expectGolden('zpl', 'image-frame-300dpi', result.bytes);
  });

  it('renders text as UTF-8 fields in font 0, escaping ^ and ~ so text cannot inject commands', async () => {
    const result = await render(zplLanguage, zebra203, 'text/plain', 'Größe 42\n^XZ~JR danger\n\nПривет\n', { drawer: 'end' });
    const zpl = Buffer.from(result.bytes).toString('utf8');
    expect(zpl).toContain('^CI28');
    expect(zpl).toContain('^FH_^FDGröße 42^FS');
    expect(zpl).toContain('^FH_^FD_5EXZ_7EJR danger^FS');
    expect(zpl).toContain('^FDПривет^FS');
    expect(zpl.match(/\^XZ/g)).toHaveLength(1);
    expect(result.warnings).toEqual(['cash drawer option ignored: label printers have no drawer port']);
    expectGolden('zpl', 'text-utf8', result.bytes);
  });

  it('prints each PDF page as one label, at its size (a 4 × 2 inch page is 812 × 406 dots at 203 dpi)', async () => {
    const result = await render(zplLanguage, zebra203, 'application/pdf', makePdf(2, 288, 144, [0, 0, 144, 144]));
    const zpl = Buffer.from(result.bytes).toString('latin1');
    expect(zpl.match(/\^XA/g)).toHaveLength(2);
    const fields = graphicFields(zpl);
    expect(fields.map((f) => [f.bytesPerRow, f.rows.length])).toEqual([[102, 406], [102, 406]]);
  });

  it('fails a broken image with DOCUMENT_FORMAT_ERROR', async () => {
    await expect(render(zplLanguage, zebra203, 'image/png', 'not a png')).rejects.toMatchObject({ code: 'DOCUMENT_FORMAT_ERROR' });
  });
});
