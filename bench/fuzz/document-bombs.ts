import { crc32, deflateSync } from 'node:zlib';

/**
 * The documents of issue 11 that froze the gateway: a 64 KB Star markup of `[feed: line 50]x`
 * × 4000, a 6000×6600 PNG that compresses to a few kilobytes, and a PDF of 10 pages of 10×14400 pt.
 */

export interface DocumentBomb {
  name: string;
  contentType: string;
  body: Buffer;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/** A white 8-bit greyscale PNG of width × height (rows of filter byte 0 and 255s). */
export function bigPng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8 bits, greyscale, deflate, adaptive filter, no interlace
  const row = Buffer.alloc(width + 1, 255);
  row[0] = 0;
  const raw = Buffer.alloc(row.length * height);
  for (let y = 0; y < height; y += 1) row.copy(raw, y * row.length);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

/** A valid PDF of `pages` empty pages of width × height points. */
export function tallPdf(pages: number, width: number, height: number): Buffer {
  const objects: string[] = [];
  const kids = Array.from({ length: pages }, (_, i) => `${3 + i * 2} 0 R`).join(' ');
  objects.push('<< /Type /Catalog /Pages 2 0 R >>');
  objects.push(`<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`);
  for (let i = 0; i < pages; i += 1) {
    objects.push(`<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${width} ${height}] /Contents ${4 + i * 2} 0 R /Resources << >> >>`);
    const stream = `0 0 m ${width} ${height} l S`;
    objects.push(`<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`);
  }
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

export function documentBombs(): DocumentBomb[] {
  return [
    { name: '64 KB markup of [feed: line 50]x ×4000', contentType: 'text/vnd.star.markup', body: Buffer.from('[feed: line 50]x'.repeat(4000)) },
    { name: '6000×6600 PNG', contentType: 'image/png', body: bigPng(6000, 6600) },
    { name: 'PDF of 10 pages of 10×14400 pt', contentType: 'application/pdf', body: tallPdf(10, 10, 14400) },
  ];
}

/** A printer kind a bomb is sent to: a receipt printer (escpos) or a label printer (zpl). */
export type BombPrinter = 'receipt' | 'label';

/**
 * Every document of issue 11 that stalled the gateway, for `npm run bench -- bombs`: the three
 * above (the PNG and the PDF are refused at submit now), a PNG just within the default pixel
 * budget instead, 64,000 lines of text and a long label (a 4 in × 2 m PNG at 203 dpi for ZPL).
 */
export function renderBombs(): (DocumentBomb & { printer: BombPrinter; preview: boolean })[] {
  return [
    ...documentBombs().map((bomb) => ({ ...bomb, printer: 'receipt' as const, preview: bomb.contentType === 'image/png' })),
    { name: 'the largest PNG within limits.render.maxPixels: 4800×5800', contentType: 'image/png', body: bigPng(4800, 5800), printer: 'receipt', preview: true },
    { name: '64,000 lines of text', contentType: 'text/plain', body: Buffer.from('line\n'.repeat(64_000)), printer: 'receipt', preview: false },
    { name: 'long label: 812×16000 PNG (4 in × 2 m at 203 dpi)', contentType: 'image/png', body: bigPng(812, 16_000), printer: 'label', preview: true },
  ];
}
