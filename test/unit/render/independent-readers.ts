import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import jsqr from 'jsqr';
import { PNG } from 'pngjs';

/**
 * Readers no one here wrote, for print-fidelity tests: the Zebrash ZPL renderer (npm
 * zpl-renderer-js), Debian's tesseract OCR, and jsQR. A missing tesseract fails naming its package.
 */

export interface Picture {
  width: number;
  height: number;
  /** RGBA, as pngjs decodes it. */
  data: Uint8Array;
  png: Buffer;
}

export function picture(png: Uint8Array): Picture {
  const decoded = PNG.sync.read(Buffer.from(png));
  return { width: decoded.width, height: decoded.height, data: decoded.data, png: Buffer.from(png) };
}

/** True where the pixel is dark. */
export function dark(pic: Picture, x: number, y: number): boolean {
  return pic.data[(y * pic.width + x) * 4]! < 128;
}

/** One ZPL label (^XA…^XZ) drawn by Zebrash at `dotsPerMM`, as wide and long as the label says. */
export async function renderZpl(zpl: string, widthDots: number, lengthDots: number, dotsPerMM: number): Promise<Picture> {
  // Loaded on first use: the WASM renderer is only needed by the label tests.
  const { api } = await (await import('zpl-renderer-js')).ready;
  const base64 = await api.zplToBase64Async(zpl, widthDots / dotsPerMM, lengthDots / dotsPerMM, dotsPerMM);
  return picture(Buffer.from(base64, 'base64'));
}

/** The text tesseract reads in a picture (English model), whitespace runs as single spaces per line. */
export function ocr(pic: Picture): string[] {
  const found = spawnSync('sh', ['-c', 'command -v tesseract'], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error('tesseract is missing: install the Debian package tesseract-ocr (scripts/run-tests.mjs provisions it)');
  const dir = mkdtempSync(path.join(tmpdir(), 'pgr-ocr-'));
  try {
    const file = path.join(dir, 'in.png');
    writeFileSync(file, pic.png);
    const run = spawnSync('tesseract', [file, '-', '--psm', '4'], { encoding: 'utf8', timeout: 60_000 });
    if (run.status !== 0) throw new Error(`tesseract failed: ${run.stderr}`);
    return run.stdout
      .split('\n')
      .map((line) => line.replace(/\s+/g, ' ').trim())
      .filter((line) => line !== '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The data of the QR code jsQR finds in the picture, with its top-left corner; undefined if none. */
export function readQr(pic: Picture): { data: string; x: number; y: number } | undefined {
  const rgba = new Uint8ClampedArray(pic.data.buffer, pic.data.byteOffset, pic.data.byteLength);
  // jsqr is CommonJS: Node's ESM loader hands its module.exports as the default import, and jsQR is its `default` (as its types say).
  const found = jsqr.default(rgba, pic.width, pic.height);
  return found ? { data: found.data, x: Math.round(found.location.topLeftCorner.x), y: Math.round(found.location.topLeftCorner.y) } : undefined;
}

/** Leftmost and rightmost dark column within rows [top, bottom). */
export function inkSpan(pic: Picture, top: number, bottom: number): [number, number] {
  let left = pic.width;
  let right = -1;
  for (let y = top; y < bottom; y++) {
    for (let x = 0; x < pic.width; x++) {
      if (!dark(pic, x, y)) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
  }
  return [left, right];
}
