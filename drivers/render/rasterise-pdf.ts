import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DriverError } from '../../src/driver-api/index.js';

export interface PdfRasterOptions {
  /** Resolution in dots per inch (the printer's: 203, 180, 300). */
  dpi: number;
  /** Pages beyond this are not printed (and reported as a warning). */
  maxPages: number;
  timeoutMs: number;
  /** Scale every page to this width in pixels (pdftoppm -scale-to-x). */
  widthPx?: number;
}

export interface PdfRaster {
  /** One PNG per page, in order. */
  pages: Uint8Array[];
  warnings: string[];
}

const PDF_MAGIC = '%PDF-';

/**
 * Rasterises a PDF with poppler's `pdftoppm` (Debian package poppler-utils) into grey PNG pages.
 * Bounded: a timeout kills the process, pages past `maxPages` are dropped. A damaged PDF is a
 * DOCUMENT_FORMAT_ERROR; a missing pdftoppm says which package to install.
 */
export async function rasterisePdf(pdf: Uint8Array, options: PdfRasterOptions): Promise<PdfRaster> {
  const head = Buffer.from(pdf.subarray(0, 1024)).toString('latin1');
  if (!head.includes(PDF_MAGIC)) throw new DriverError('DOCUMENT_FORMAT_ERROR', 'the application/pdf document does not start with %PDF-');
  const dir = await mkdtemp(path.join(tmpdir(), 'printgate-pdf-'));
  try {
    const input = path.join(dir, 'in.pdf');
    await writeFile(input, pdf);
    const args = ['-png', '-gray', '-r', String(options.dpi), '-f', '1', '-l', String(options.maxPages)];
    if (options.widthPx !== undefined) args.push('-scale-to-x', String(options.widthPx), '-scale-to-y', '-1');
    args.push(input, path.join(dir, 'page'));
    await run('pdftoppm', args, options.timeoutMs);
    const files = (await readdir(dir)).filter((name) => name.startsWith('page') && name.endsWith('.png')).sort(byPageNumber);
    if (files.length === 0) throw new DriverError('DOCUMENT_FORMAT_ERROR', 'the PDF has no pages');
    const pages = await Promise.all(files.map((name) => readFile(path.join(dir, name))));
    const warnings: string[] = [];
    const total = await pageCount(pdf);
    if (total !== undefined && total > options.maxPages) warnings.push(`only the first ${options.maxPages} of ${total} PDF pages were printed`);
    return { pages, warnings };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function byPageNumber(a: string, b: string): number {
  return Number(a.replace(/\D/g, '')) - Number(b.replace(/\D/g, ''));
}

/** A rough page count from the /Type /Pages tree's /Count (undefined when it cannot be read). */
async function pageCount(pdf: Uint8Array): Promise<number | undefined> {
  const text = Buffer.from(pdf).toString('latin1');
  const counts = [...text.matchAll(/\/Type\s*\/Pages\b[^>]*?\/Count\s+(\d+)|\/Count\s+(\d+)[^>]*?\/Type\s*\/Pages\b/g)].map((m) => Number(m[1] ?? m[2]));
  return counts.length > 0 ? Math.max(...counts) : undefined;
}

function run(program: string, args: string[], timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT') {
        reject(new DriverError('DOCUMENT_FORMAT_ERROR', 'pdftoppm is not installed (Debian package poppler-utils); PDFs cannot be rasterised'));
      } else {
        reject(new DriverError('DOCUMENT_FORMAT_ERROR', `pdftoppm failed to start: ${error.message}`, { cause: error }));
      }
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') reject(new DriverError('DOCUMENT_FORMAT_ERROR', `pdftoppm took longer than ${timeoutMs} ms`));
      else if (code !== 0) reject(new DriverError('DOCUMENT_FORMAT_ERROR', `the PDF cannot be rasterised: ${stderr.trim().split('\n')[0] ?? `exit ${code}`}`));
      else resolve();
    });
  });
}
