import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { zplLanguage } from '../../../drivers/languages/zpl-language.js';
import { findProfile } from '../../../drivers/profiles/find-profile.js';
import { separatorDots } from '../../../drivers/render/preview-zpl.js';
import type { PrinterProfile, RenderInput } from '../../../src/driver-api/index.js';
import { decodeZplLabels, type DecodedLabel } from '../../helpers/zpl-labels.js';
import { framePng } from '../languages/render-cases.js';
import { makePdf, makePng } from './document-fixtures.js';

const OPTIONS = { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' } as const;

function profile(id: string): PrinterProfile {
  const found = findProfile(id);
  if (!found) throw new Error(`no profile ${id}`);
  return found;
}

function input(body: string | Buffer, contentType: string, profileId: string): RenderInput {
  return { body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body, contentType, profile: profile(profileId), options: OPTIONS };
}

interface Picture {
  width: number;
  height: number;
  grey: (x: number, y: number) => number;
}

/** The preview (decoded) and the labels the printer gets for the same job. */
async function both(body: string | Buffer, contentType: string, profileId: string): Promise<{ picture: Picture; warnings: string[]; labels: DecodedLabel[] }> {
  const result = await zplLanguage.preview!(input(body, contentType, profileId));
  const png = PNG.sync.read(Buffer.from(result.png));
  expect([result.width, result.height]).toEqual([png.width, png.height]);
  const rendered = await zplLanguage.render(input(body, contentType, profileId));
  return {
    picture: { width: png.width, height: png.height, grey: (x, y) => png.data[(y * png.width + x) * 4]! },
    warnings: result.warnings,
    labels: decodeZplLabels(Buffer.from(rendered.bytes).toString('utf8')),
  };
}

/** Every pixel of rows [top, top + graphic height) is black exactly where the ^GF field has a dot. */
function expectGraphicDrawn(picture: Picture, label: DecodedLabel, top: number): void {
  const [graphic] = label.graphics;
  expect(graphic).toBeDefined();
  let mismatches = 0;
  let ink = 0;
  for (let y = 0; y < label.length; y++) {
    for (let x = 0; x < picture.width; x++) {
      const inside = x >= graphic!.x && y >= graphic!.y && x - graphic!.x < graphic!.width && y - graphic!.y < graphic!.height;
      const dot = inside ? graphic!.dots[(y - graphic!.y) * graphic!.width + (x - graphic!.x)]! : 0;
      ink += dot;
      if (picture.grey(x, top + y) !== (dot ? 0 : 255)) mismatches += 1;
    }
  }
  expect(ink).toBeGreaterThan(0);
  expect(mismatches).toBe(0);
}

/** Rows [first, last] holding at least one pixel of `value`, gaps under `join` rows joined. */
function rowRuns(picture: Picture, value: number, join = 5): [number, number][] {
  const runs: [number, number][] = [];
  for (let y = 0; y < picture.height; y++) {
    let hit = false;
    for (let x = 0; x < picture.width && !hit; x++) hit = picture.grey(x, y) === value;
    if (!hit) continue;
    const last = runs.at(-1);
    if (last && last[1] >= y - join) last[1] = y;
    else runs.push([y, y]);
  }
  return runs;
}

describe('zpl preview', () => {
  it('draws an image label as the ^GF dots sent, 832 dots wide at 203 dpi', async () => {
    const { picture, warnings, labels } = await both(makePng(40, 20, (x, y) => (x < 10) !== (y >= 10)), 'image/png', 'zebra-203dpi');
    expect(labels).toHaveLength(1);
    expect(labels[0]!.width).toBe(832);
    expect(picture.width).toBe(832);
    expect(picture.height).toBe(labels[0]!.length);
    expectGraphicDrawn(picture, labels[0]!, 0);
    expect(warnings).toEqual([]);
  });

  it('is 1248 dots wide at 300 dpi, the frame drawn dot for dot', async () => {
    const { picture, labels } = await both(framePng(), 'image/png', 'zebra-300dpi');
    expect(picture.width).toBe(1248);
    expect(picture.height).toBe(32);
    expectGraphicDrawn(picture, labels[0]!, 0);
  });

  it('draws PDF pages as labels one below the other with a grey separator', async () => {
    const { picture, labels } = await both(makePdf(2, 288, 144, [0, 0, 144, 144]), 'application/pdf', 'zebra-203dpi');
    expect(labels).toHaveLength(2);
    const gap = separatorDots(8);
    expect(picture.height).toBe(labels[0]!.length + gap + labels[1]!.length);
    expectGraphicDrawn(picture, labels[0]!, 0);
    expectGraphicDrawn(picture, labels[1]!, labels[0]!.length + gap);
    for (let y = labels[0]!.length; y < labels[0]!.length + gap; y++) {
      for (let x = 0; x < picture.width; x += 7) expect(picture.grey(x, y)).toBe(160);
    }
    expect(rowRuns(picture, 160)).toEqual([[labels[0]!.length, labels[0]!.length + gap - 1]]);
  });

  it('draws each text field at its ^FO origin and ^A0 height, skipping empty lines, and says the font is a stand-in', async () => {
    const { picture, warnings, labels } = await both('Order 42\n\nShip to: Berlin\n^XZ~JR\n', 'text/plain', 'zebra-300dpi');
    const [label] = labels;
    expect(picture.width).toBe(1248);
    expect(picture.height).toBe(label!.length);
    expect(label!.texts.map((field) => field.text)).toEqual(['Order 42', 'Ship to: Berlin', '^XZ~JR']);
    const runs = rowRuns(picture, 0);
    expect(runs).toHaveLength(3);
    for (const [index, field] of label!.texts.entries()) {
      const [top, bottom] = runs[index]!;
      expect(top).toBeGreaterThanOrEqual(field.y);
      expect(bottom).toBeLessThan(field.y + field.height);
      // Most of the character height is inked, as on the label.
      expect(bottom - top + 1).toBeGreaterThan(field.height / 2);
      let left = picture.width;
      for (let y = top; y <= bottom; y++) for (let x = 0; x < picture.width; x++) if (picture.grey(x, y) === 0) left = Math.min(left, x);
      expect(left).toBeGreaterThanOrEqual(field.x);
      expect(left).toBeLessThan(field.x + field.height);
    }
    expect(warnings).toEqual([expect.stringMatching(/^preview: text is drawn in the preview's monospace font.*font 0/)]);
  });

  it('marks characters the preview font lacks as grey boxes; a line longer than the label wraps', async () => {
    const { picture, warnings, labels } = await both(`\u{1F600} ok\n${'W'.repeat(80)}\n`, 'text/plain', 'zebra-203dpi');
    const [emoji, first, second] = labels[0]!.texts;
    expect(warnings).toContain('preview: the preview font has no glyph for U+1F600; drawn as grey boxes');
    let grey = 0;
    for (let y = emoji!.y; y < emoji!.y + emoji!.height; y++) for (let x = emoji!.x; x < emoji!.x + 30; x++) grey += picture.grey(x, y) === 160 ? 1 : 0;
    expect(grey).toBeGreaterThan(20);
    // 50 characters of 16 dots fill the 800-dot field block; the rest goes on the next line.
    expect([first!.text.length, second!.text.length]).toEqual([50, 30]);
    expect(second!.y - first!.y).toBe(35);
    expect(warnings.join(' ')).not.toMatch(/cut off/);
  });

  it('cuts raw ZPL text off at its field block, saying so', async () => {
    const zpl = `^XA^PW832^LL100^FO16,16^A0N,28,28^FB200,1,0,L^FD${'W'.repeat(40)}^FS^XZ`;
    const result = await zplLanguage.preview!(input(zpl, 'application/vnd.zebra.zpl', 'zebra-203dpi'));
    expect(result.warnings).toContain('preview: 1 text line(s) reach past the field block in the preview font and are cut off at its edge');
    const png = PNG.sync.read(Buffer.from(result.png));
    for (let y = 16; y < 44; y++) for (let x = 216; x < 832; x++) expect(png.data[(y * 832 + x) * 4]).toBe(255);
  });

  it('splits text longer than the longest label (maxPageHeightMM) into labels, and stops the preview at its pixel limit', async () => {
    const text = Array.from({ length: 1600 }, (_, i) => `line ${i}`).join('\n');
    const rendered = await zplLanguage.render(input(text, 'text/plain', 'zebra-203dpi'));
    const labels = decodeZplLabels(Buffer.from(rendered.bytes).toString('utf8'));
    // 1600 lines of 35 dots on labels of at most 2 m (16,000 dots): 456 lines and 2 mm margins each.
    expect(labels.map((label) => label.length)).toEqual([15992, 15992, 15992, 8152]);
    expect(labels.flatMap((label) => label.texts).map((field) => field.text)).toEqual(text.split('\n'));
    const result = await zplLanguage.preview!(input(text, 'text/plain', 'zebra-203dpi'));
    // 30,000,000 pixels at 832 dots across.
    expect(result.height).toBe(36_057);
    expect(result.warnings).toContain('preview: only the first 36057 dots are drawn (2 of 4 labels whole)');
  });

  it('rejects raw bytes that hold no ZPL label', async () => {
    await expect(zplLanguage.preview!(input('~HS', 'application/vnd.zebra.zpl', 'zebra-203dpi'))).rejects.toMatchObject({
      code: 'DOCUMENT_FORMAT_ERROR',
      message: expect.stringMatching(/no preview/),
    });
  });

  it('fails a broken image with DOCUMENT_FORMAT_ERROR, as printing does', async () => {
    await expect(zplLanguage.preview!(input('not a png', 'image/png', 'zebra-203dpi'))).rejects.toMatchObject({ code: 'DOCUMENT_FORMAT_ERROR' });
  });
});
