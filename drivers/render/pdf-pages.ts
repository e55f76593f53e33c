import { runProgram } from './run-program.js';

/** One page's size as a viewer shows it (rotation applied), in points (1/72 inch). */
export interface PdfPageSize {
  widthPt: number;
  heightPt: number;
}

export interface PdfPages {
  /** The document's page count. */
  count: number;
  /** The sizes of the first pages (as many as were asked for). */
  sizes: PdfPageSize[];
}

/**
 * The page count and the sizes of pages 1…`upTo`, read by poppler's `pdfinfo` (no page is drawn).
 * A damaged PDF is a DOCUMENT_FORMAT_ERROR.
 */
export async function readPdfPages(file: string, upTo: number, timeoutMs: number): Promise<PdfPages> {
  const out = await runProgram('pdfinfo', ['-f', '1', '-l', String(Math.max(1, upTo)), file], {
    debianPackage: 'poppler-utils',
    timeoutMs,
    purpose: 'read the PDF',
  });
  const count = Number(/^Pages:\s+(\d+)/m.exec(out)?.[1] ?? 0);
  const sizes = new Map<number, PdfPageSize>();
  for (const [, page, width, height] of out.matchAll(/^Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts/gm)) {
    sizes.set(Number(page), { widthPt: Number(width), heightPt: Number(height) });
  }
  for (const [, page, rotation] of out.matchAll(/^Page\s+(\d+) rot:\s+(\d+)/gm)) {
    const size = sizes.get(Number(page));
    if (size && (Number(rotation) / 90) % 2 === 1) sizes.set(Number(page), { widthPt: size.heightPt, heightPt: size.widthPt });
  }
  return { count, sizes: [...sizes.entries()].sort(([a], [b]) => a - b).map(([, size]) => size) };
}

/** Most bytes the cheap scan reads (a PDF's page tree is usually near its start or end). */
const SCAN_BYTES = 16 * 1024 * 1024;

/**
 * What a PDF's own text shows without running anything: the largest /Count of a /Pages node and
 * every /MediaBox it holds in plain (not compressed) objects, and whether any page is turned. For Language.check at submit time;
 * objects in compressed streams stay unseen, so this may know less than readPdfPages, never more.
 */
export function scanPdfPages(pdf: Uint8Array): { count?: number; boxes: PdfPageSize[]; turned: boolean } {
  const text = Buffer.from(pdf.buffer, pdf.byteOffset, Math.min(pdf.byteLength, SCAN_BYTES)).toString('latin1');
  let count: number | undefined;
  // Object by object (`n 0 obj … endobj`), each read once: linear however hostile the file.
  for (let at = 0; ; ) {
    const start = text.indexOf(' obj', at);
    const end = start < 0 ? -1 : text.indexOf('endobj', start);
    if (end < 0) break;
    const body = text.slice(start, end);
    const value = /\/Type\s*\/Pages\b/.test(body) ? Number(/\/Count\s+(\d+)/.exec(body)?.[1]) : Number.NaN;
    if (Number.isFinite(value)) count = Math.max(count ?? 0, value);
    at = end + 6;
  }
  const boxes: PdfPageSize[] = [];
  for (const [, x0, y0, x1, y1] of text.matchAll(/\/MediaBox\s*\[\s*(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s+(-?[\d.]+)\s*\]/g)) {
    const widthPt = Math.abs(Number(x1) - Number(x0));
    const heightPt = Math.abs(Number(y1) - Number(y0));
    if (widthPt > 0 && heightPt > 0) boxes.push({ widthPt, heightPt });
  }
  // A /Rotate of 90 or 270 anywhere: a box may be shown the other way round.
  const turned = /\/Rotate\s+-?(90|270)\b/.test(text);
  return { ...(count === undefined ? {} : { count }), boxes, turned };
}
