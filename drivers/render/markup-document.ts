import type { PrinterProfile } from '../../src/driver-api/index.js';
import { printableDots } from './bitmap.js';
import { decodeDataUrl } from './data-url.js';
import { imageToBitmap, type ImageContext } from './image-to-bitmap.js';
import { RenderMeter } from './render-meter.js';
import { parseMarkup, type MarkupParam } from './markup-parser.js';
import type { Align, ReceiptDocument, ReceiptOp } from './receipt-ops.js';
import { parseBarcode } from './markup-barcode.js';
import { clampInt, param, sizeInDots } from './markup-params.js';
import { columnLine, columnParts } from './text-width.js';

/** Tags that print a whole line or block: a newline right after them is not an extra blank line. */
const BLOCK_TAGS = new Set(['column', 'barcode', 'bc', 'image', 'cut', 'feed']);
/** Tags Star defines that printgate does not render (yet): ignored with a warning. */
const IGNORED_TAGS = new Set(['upperline', 'linespacing', 'logo', 'templatearray', 'fixedwidth']);

interface State {
  align: Align;
  font: 'A' | 'B';
  magnifyWidth: number;
}

/** Characters per line the printer lays text out in, per font. */
export interface TextLayout {
  columns: number;
  fontBColumns: number;
}

/**
 * Renders Star Document Markup into receipt ops for a printer of `profile`; images are sized and
 * charged to the budget through `images` (default: a fresh meter with the default budget).
 */
export function markupDocument(source: string, profile: PrinterProfile, layout: TextLayout, images: ImageContext = { profile, meter: RenderMeter.of({ profile }) }): ReceiptDocument {
  const ops: ReceiptOp[] = [];
  const warnings: string[] = [];
  const state: State = { align: 'left', font: 'A', magnifyWidth: 1 };
  let swallowNewline = false;
  for (const node of parseMarkup(source)) {
    if (node.kind === 'text') {
      let text = node.text;
      if (swallowNewline && text.startsWith('\n')) text = text.slice(1);
      swallowNewline = false;
      pushText(ops, text);
      continue;
    }
    swallowNewline = BLOCK_TAGS.has(node.name);
    renderTag(node.name, node.params, node.source, { ops, warnings, state, profile, layout, images });
  }
  return { ops, warnings };
}

interface TagContext {
  ops: ReceiptOp[];
  warnings: string[];
  state: State;
  profile: PrinterProfile;
  layout: TextLayout;
  images: ImageContext;
}

function renderTag(name: string, params: MarkupParam[], source: string, ctx: TagContext): void {
  const { ops, warnings, state, profile, layout } = ctx;
  const first = params[0]?.name ?? '';
  switch (name) {
    case 'align': {
      const value = first === 'centre' || first === 'center' ? 'center' : first === 'right' ? 'right' : 'left';
      state.align = value;
      ops.push({ op: 'align', value });
      return;
    }
    case 'bold':
    case 'underline':
    case 'invert':
    case 'negative': {
      const on = !['off', 'false', '0', 'no'].includes(first);
      const key = name === 'negative' ? 'invert' : name;
      ops.push({ op: 'style', [key]: on });
      return;
    }
    case 'plain':
      state.magnifyWidth = 1;
      ops.push({ op: 'plain' });
      return;
    case 'magnify':
    case 'mag': {
      const width = clampInt(param(params, 'width', 'w'), 1, 6, 1);
      const height = clampInt(param(params, 'height', 'h'), 1, 6, 1);
      state.magnifyWidth = width;
      ops.push({ op: 'magnify', width, height });
      return;
    }
    case 'font': {
      const value = first.toUpperCase();
      if (value === 'A' || value === 'B') {
        state.font = value;
        ops.push({ op: 'font', value });
      } else {
        warnings.push(`markup: font "${first}" is not available; font A kept`);
      }
      return;
    }
    case 'column': {
      const columns = Math.floor((state.font === 'B' ? layout.fontBColumns : layout.columns) / state.magnifyWidth);
      const left = param(params, 'left', 'l') ?? '';
      const right = param(params, 'right', 'r') ?? '';
      ops.push({ op: 'text', text: columnLine(left, right, columns), column: columnParts(left, right, columns) }, { op: 'newline' });
      return;
    }
    case 'barcode':
    case 'bc': {
      const op = parseBarcode(params, profile);
      if (typeof op === 'string') warnings.push(`markup: ${op} in ${source}`);
      else ops.push(op);
      return;
    }
    case 'image': {
      const url = param(params, 'url', 'u');
      if (url === undefined || !/^data:/i.test(url)) {
        warnings.push('markup: image skipped: only data: URLs are printed (no file or internet fetch)');
        return;
      }
      const { mediaType, bytes } = decodeDataUrl(url);
      const full = printableDots(profile);
      // `width` scales to it, up or down; without one the image prints 1:1 (README "Rendering rules").
      const widthDots = sizeInDots(param(params, 'width', 'w'), profile, full);
      const minWidthDots = sizeInDots(param(params, 'min-width', 'minwidth'), profile, full);
      ops.push({ op: 'image', bitmap: imageToBitmap(bytes, mediaType, ctx.images, { widthDots, minWidthDots }) });
      return;
    }
    case 'cut': {
      const names = params.map((p) => p.name);
      const type = names.includes('full') ? 'full' : names.includes('partial') ? 'partial' : profile.cutter === 'full' ? 'full' : 'partial';
      ops.push({ op: 'cut', type });
      return;
    }
    case 'feed': {
      const lines = param(params, 'lines', 'line', 'unit', 'count');
      const length = param(params, 'length', 'len');
      const mm = length === undefined ? undefined : Number.parseFloat(length);
      const count = mm !== undefined && Number.isFinite(mm) ? Math.max(1, Math.round(mm / 4)) : clampInt(lines ?? (first && /^\d/.test(first) ? first : undefined), 1, 50, 1);
      ops.push({ op: 'feed', lines: count });
      return;
    }
    case 'space':
      ops.push({ op: 'text', text: ' '.repeat(clampInt(param(params, 'count', 'c') ?? first, 1, 255, 1)) });
      return;
    case 'drawer':
      ops.push({ op: 'drawer' });
      return;
    case 'buzzer':
      ops.push({ op: 'buzzer', count: clampInt(param(params, 'count', 'repeat', 'pulse', 'c') ?? (/^\d+$/.test(first) ? first : undefined), 1, 9, 1) });
      return;
    case 'comment':
      return;
    default:
      warnings.push(IGNORED_TAGS.has(name) ? `markup: [${name}] is not supported and was ignored` : `markup: unknown tag ${source} ignored`);
  }
}

function pushText(ops: ReceiptOp[], text: string): void {
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (index > 0) ops.push({ op: 'newline' });
    const clean = line.replace(/\t/g, '    ').replace(/[\u0000-\u001f\u007f]/g, '');
    if (clean !== '') ops.push({ op: 'text', text: clean });
  });
}
