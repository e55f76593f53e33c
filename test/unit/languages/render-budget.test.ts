import { deflateSync, crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { escposLanguage } from '../../../drivers/languages/escpos-language.js';
import { pdfLanguage } from '../../../drivers/languages/pdf-language.js';
import { starprntLanguage } from '../../../drivers/languages/starprnt-language.js';
import { zplLanguage } from '../../../drivers/languages/zpl-language.js';
import { findProfile } from '../../../drivers/profiles/find-profile.js';
import { DEFAULT_RENDER_LIMITS, renderBudget, type Language, type PrinterProfile, type RenderInput } from '../../../src/driver-api/index.js';
import { makePdf, makePng } from '../render/document-fixtures.js';
import { ONE_COPY } from './render-cases.js';

const receipt = findProfile('generic-80mm')!;
const zebra = findProfile('zebra-203dpi')!;

function input(profile: PrinterProfile, contentType: string, body: string | Uint8Array, extra: Partial<RenderInput> = {}): RenderInput {
  return { body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, contentType, profile, options: ONE_COPY, ...extra };
}

function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(body.length + 8);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), body.length + 4);
  return out;
}

/** A valid, white, 1-bit PNG of width × height: a few hundred KB that decode to width × height × 4 bytes. */
function hugeWhitePng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([1, 0, 0, 0, 0], 8);
  const row = Buffer.alloc(1 + Math.ceil(width / 8), 0xff);
  row[0] = 0;
  const idat = deflateSync(Buffer.concat(Array.from({ length: height }, () => row)), { level: 9 });
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]);
}

const TOO_MANY_PIXELS = expect.objectContaining({ code: 'DOCUMENT_TOO_COMPLEX', details: { budget: 'maxPixels', limit: 30_000_000, actual: expect.any(Number) } });

describe.each([
  ['escpos', escposLanguage, receipt],
  ['starprnt', starprntLanguage, findProfile('star-tsp143-starprnt')!],
  ['zpl', zplLanguage, zebra],
] as [string, Language, PrinterProfile][])('%s: render budgets', (_name, language, profile) => {
  it('refuses the small PNG of 6000 × 6600 (RSS 75 → 697 MB) at check, render and preview, before decoding it', async () => {
    const png = hugeWhitePng(6000, 6600);
    expect(png.length).toBeLessThan(200_000);
    expect(() => language.check!(input(profile, 'image/png', png))).toThrow(TOO_MANY_PIXELS);
    await expect(language.render(input(profile, 'image/png', png))).rejects.toEqual(TOO_MANY_PIXELS);
    await expect(language.preview!(input(profile, 'image/png', png))).rejects.toEqual(TOO_MANY_PIXELS);
  });

  it('counts pixels per document, not per image: two images that fit alone do not fit together', async () => {
    const url = `data:image/png;base64,${makePng(300, 300, () => false).toString('base64')}`;
    const budget = { ...renderBudget(DEFAULT_RENDER_LIMITS, profile), maxPixels: 300_000 };
    await expect(language.render(input(profile, 'text/vnd.star.markup', `[image: url ${url}]`, { budget }))).resolves.toBeDefined();
    await expect(language.render(input(profile, 'text/vnd.star.markup', `[image: url ${url}][image: url ${url}]`, { budget }))).rejects.toMatchObject({
      code: 'DOCUMENT_TOO_COMPLEX',
      message: expect.stringMatching(/already used by the document/),
    });
  });

  it('check() refuses what headers show (not a PNG, too many PDF pages) and passes what they cannot', () => {
    expect(() => language.check!(input(profile, 'image/png', 'GIF89a…'))).toThrow(expect.objectContaining({ code: 'DOCUMENT_FORMAT_ERROR' }));
    expect(() => language.check!(input(profile, 'application/pdf', makePdf(60, 72, 72, [0, 0, 1, 1])))).toThrow(
      expect.objectContaining({ code: 'DOCUMENT_TOO_COMPLEX', details: { budget: 'maxPages', limit: 50, actual: 60 } }),
    );
    expect(() => language.check!(input(profile, 'image/png', makePng(200, 100, () => true)))).not.toThrow();
    expect(() => language.check!(input(profile, 'text/plain', 'anything'))).not.toThrow();
  });

  it('refuses output past maxOutputBytes, naming it', async () => {
    const budget = { ...renderBudget(DEFAULT_RENDER_LIMITS, profile), maxOutputBytes: 10_000 };
    await expect(language.render(input(profile, 'text/plain', 'line\n'.repeat(5_000), { budget }))).rejects.toMatchObject({
      code: 'DOCUMENT_TOO_COMPLEX',
      details: { budget: 'maxOutputBytes', limit: 10_000, actual: expect.any(Number) },
    });
  });

  it('renders the 64 KB [feed: line 50]x markup and 64,000 lines of text (they froze the gateway); the time is in the render benchmark', async () => {
    const markup = '[feed: line 50]x'.repeat(4000);
    expect(markup.length).toBe(64_000);
    expect((await language.render(input(profile, 'text/vnd.star.markup', markup))).bytes.length).toBeGreaterThan(0);
    expect((await language.render(input(profile, 'text/plain', 'line\n'.repeat(64_000)))).bytes.length).toBeGreaterThan(0);
  });
});

describe('previews are bounded', () => {
  it('a long label preview (64,000 lines) is drawn up to the pixel budget, the labels split at 2 m', async () => {
    const preview = await zplLanguage.preview!(input(zebra, 'text/plain', 'line\n'.repeat(64_000)));
    expect(preview.height).toBeLessThanOrEqual(Math.floor(30_000_000 / 832));
    // 456 lines to a label of at most 16,000 dots: 141 labels, of which two fit the preview whole.
    expect(preview.warnings.join(' ')).toMatch(/only the first \d+ dots are drawn \(2 of 141 labels whole\)/);
  });

  it('a long receipt preview stops at 50,000 dots with a warning', async () => {
    const preview = await escposLanguage.preview!(input(receipt, 'text/plain', 'line\n'.repeat(64_000)));
    // Lines of 32 dots: 1562 of them fit in 50,000.
    expect(preview.height).toBe(49_984);
    expect(preview.warnings).toContain('preview: only the first 50000 dots of the receipt are drawn');
  });
});

describe('pdf (pass-through to office printers)', () => {
  it('is not rasterised, so no page budget applies; check() refuses what is not a PDF', async () => {
    const pdf = makePdf(60, 595, 842, [0, 0, 1, 1]);
    expect(() => pdfLanguage.check!(input(receipt, 'application/pdf', pdf))).not.toThrow();
    expect((await pdfLanguage.render(input(receipt, 'application/pdf', pdf))).bytes).toBe(pdf);
    expect(() => pdfLanguage.check!(input(receipt, 'application/pdf', 'hello'))).toThrow(expect.objectContaining({ code: 'DOCUMENT_FORMAT_ERROR' }));
  });
});
