import { describe, expect, it } from 'vitest';
import { markupDocument } from '../../../drivers/render/markup-document.js';
import { findProfile } from '../../../drivers/profiles/find-profile.js';
import { makePng } from './document-fixtures.js';

const profile = findProfile('generic-80mm')!;
const layout = { columns: 48, fontBColumns: 64 };

describe('markupDocument', () => {
  it('lays a column line out at the printer width, and at half width when magnified', () => {
    const { ops } = markupDocument('[column: left Coffee; right 3.50][mag: w 2; h 2][column: left Total; right 7.00]', profile, layout);
    const lines = ops.filter((op) => op.op === 'text').map((op) => (op as { text: string }).text);
    expect(lines[0]).toBe(`Coffee${' '.repeat(48 - 6 - 4)}3.50`);
    expect(lines[0]).toHaveLength(48);
    expect(lines[1]).toHaveLength(24);
    expect(lines[1]!.endsWith('7.00')).toBe(true);
  });

  it('cuts the left text short when a column line is too long, keeping the amount', () => {
    const { ops } = markupDocument(`[column: left ${'x'.repeat(60)}; right 12.00]`, profile, layout);
    const text = (ops[0] as { text: string }).text;
    expect(text).toHaveLength(48);
    expect(text.endsWith(' 12.00')).toBe(true);
  });

  it('ignores unknown tags and lists them in the warnings', () => {
    const { ops, warnings } = markupDocument('a[sparkle: on]b[upperline]', profile, layout);
    expect(ops).toEqual([{ op: 'text', text: 'a' }, { op: 'text', text: 'b' }]);
    expect(warnings).toEqual(['markup: unknown tag [sparkle: on] ignored', 'markup: [upperline] is not supported and was ignored']);
  });

  it('maps styles, alignment, barcodes, QR, cut, feed, drawer and buzzer', () => {
    const { ops, warnings } = markupDocument(
      '[align: centre][bold]B[bold: off][underline: on][invert][plain][font: b]\n' +
        '[barcode: type code128; data 12345; height 5mm; hri]\n[barcode: type qr; data https://x.test; cell 4; ec high]\n' +
        '[feed: lines 2][drawer][buzzer: count 2][cut: partial]',
      profile,
      layout,
    );
    expect(warnings).toEqual([]);
    expect(ops).toEqual([
      { op: 'align', value: 'center' },
      { op: 'style', bold: true },
      { op: 'text', text: 'B' },
      { op: 'style', bold: false },
      { op: 'style', underline: true },
      { op: 'style', invert: true },
      { op: 'plain' },
      { op: 'font', value: 'B' },
      { op: 'newline' },
      { op: 'barcode', symbology: 'code128', data: '12345', heightDots: 40, module: 2, hri: true },
      { op: 'qrcode', data: 'https://x.test', cell: 4, errorLevel: 'h', model: 2 },
      { op: 'feed', lines: 2 },
      { op: 'drawer' },
      { op: 'buzzer', count: 2 },
      { op: 'cut', type: 'partial' },
    ]);
  });

  it('renders a data: URL image at the requested width and refuses other URLs', () => {
    const png = makePng(100, 50, (x) => x < 50).toString('base64');
    const { ops, warnings } = markupDocument(`[image: url data:image/png;base64,${png}; width 50%][image: url https://example.com/logo.png]`, profile, layout);
    expect(ops).toHaveLength(1);
    expect(ops[0]).toMatchObject({ op: 'image', bitmap: { width: 288, height: 144 } });
    expect(warnings).toEqual(['markup: image skipped: only data: URLs are printed (no file or internet fetch)']);
  });

  it('fails a broken data: image with DOCUMENT_FORMAT_ERROR', () => {
    expect(() => markupDocument('[image: url data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB]', profile, layout)).toThrow(
      expect.objectContaining({ code: 'DOCUMENT_FORMAT_ERROR' }),
    );
  });
});
