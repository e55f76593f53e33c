import type { Bitmap } from './bitmap.js';
import type { LabelDrawing, LabelItem } from './preview-zpl.js';
import { zplCommands } from './preview-zpl-commands.js';
import { decodeGraphicField } from './preview-zpl-graphic.js';
import type { RenderMeter } from './render-meter.js';

/** Commands that change nothing on the label as drawn (speed, darkness, media handling, copies, comments). */
const NO_DRAWING = new Set(['^PQ', '^PR', '^MD', '~SD', '^MN', '^MT', '^MM', '^FX', '^JU', '^MF', '^XA', '^XZ']);

/** The printer's default font when no ^CF names one: font A, 9 dots high. */
const DEFAULT_FONT = { height: 9 };

export interface RawLabels {
  labels: LabelDrawing[];
  /** What was not drawn, and approximations. */
  warnings: string[];
}

interface Field {
  x: number;
  y: number;
  height?: number;
  width?: number;
  rotated?: string;
  block?: { width: number; lines: number; justify: string };
  hexEscape?: string;
  data?: string;
  graphic?: Bitmap;
  box?: Omit<Extract<LabelItem, { kind: 'box' }>, 'kind' | 'x' | 'y'>;
  skip?: string;
}

/**
 * Reads the subset of a ZPL job the preview can draw: ^XA…^XZ labels sized by ^PW/^LL (home
 * ^LH), fields placed with ^FO, unrotated text (^A height and width, ^CF, ^FB width and justification, ^FH, ^CI28 UTF-8), ^GF ASCII
 * graphics (hex, Zebra compression, Z64/B64) and ^GB boxes. Everything else — barcodes, ^FT
 * placement, rotated or reversed fields, stored graphics — is left off and named in the warnings.
 */
export function rawZplLabels(body: Uint8Array, widthDots: number, meter?: RenderMeter): RawLabels {
  const labels: LabelDrawing[] = [];
  const notDrawn = new Set<string>();
  const notes = new Set<string>();
  let label: LabelDrawing | undefined;
  // ^PW, ^LL, ^LH, ^CF and ^CI stay set on the printer from one label to the next.
  let width = widthDots;
  let length: number | undefined;
  let home = { x: 0, y: 0 };
  let font = { ...DEFAULT_FONT };
  let utf8 = false;
  let field: Field | undefined;
  const currentField = (): Field => (field ??= { x: home.x, y: home.y });

  const finishField = (): void => {
    const done = field;
    field = undefined;
    if (!done || !label) return;
    if (done.skip) {
      notDrawn.add(done.skip);
      return;
    }
    if (done.graphic) label.items.push({ kind: 'graphic', x: done.x, y: done.y, bitmap: done.graphic });
    if (done.box) label.items.push({ kind: 'box', x: done.x, y: done.y, ...done.box });
    if (done.data === undefined || done.data === '') return;
    if (done.rotated) {
      notDrawn.add(`rotated text (${done.rotated})`);
      return;
    }
    if (done.block && (done.block.lines > 1 || done.block.justify === 'J')) notes.add('preview: ^FB blocks of several lines or justified (J) are drawn as one line');
    let text = done.data;
    if (done.hexEscape !== undefined) {
      const escape = done.hexEscape.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      text = text.replace(new RegExp(`${escape}([0-9A-Fa-f]{2})`, 'g'), (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    }
    if (utf8) text = Buffer.from(text, 'latin1').toString('utf8');
    else if (/[^\x00-\x7f]/.test(text)) notes.add('preview: field data outside ASCII without ^CI28 is drawn as Latin-1');
    const height = done.height ?? font.height;
    label.items.push({
      kind: 'text',
      field: {
        x: done.x,
        y: done.y,
        charDots: height,
        ...(done.width === undefined ? {} : { charWidthDots: done.width }),
        blockWidth: done.block?.width ?? label.widthDots - done.x,
        justify: done.block?.justify === 'C' || done.block?.justify === 'R' ? done.block.justify : 'L',
        text,
      },
    });
  };

  for (const command of zplCommands(Buffer.from(body).toString('latin1'))) {
    const args = command.params.split(',').map((part) => part.trim());
    const number = (index: number, fallback: number): number => {
      const value = Number.parseInt(args[index] ?? '', 10);
      return Number.isFinite(value) ? value : fallback;
    };
    if (command.name === '^XA') {
      field = undefined;
      if (label) notes.add('preview: a label without ^XZ at the end is not drawn');
      label = { widthDots: width, lengthDots: 0, items: [] };
      continue;
    }
    if (command.name === '^XZ') {
      finishField();
      if (label) labels.push(closeLabel(label, length, notes, labels.length + 1));
      label = undefined;
      continue;
    }
    if (!label) {
      if (!NO_DRAWING.has(command.name)) notDrawn.add(command.name);
      continue;
    }
    switch (command.name) {
      case '^PW':
        width = number(0, widthDots);
        label.widthDots = width;
        if (width > widthDots) notes.add(`preview: labels wider (^PW) than the print head's ${widthDots} dots are cut off at its edge`);
        break;
      case '^LL':
        length = Math.max(1, number(0, 1));
        break;
      case '^LH':
        home = { x: number(0, 0), y: number(1, 0) };
        break;
      case '^CI':
        utf8 = number(0, 0) === 28;
        break;
      case '^CF':
        font = { height: number(1, font.height) };
        break;
      case '^FO':
      case '^FT': {
        // A field's settings may come before its origin (^A0N,30,30^FO10,10^FD…): they stay with it.
        const pending = field && field.data === undefined && !field.graphic && !field.box && !field.skip ? field : undefined;
        if (!pending) finishField();
        field = { ...pending, x: home.x + number(0, 0), y: home.y + number(1, 0) };
        // Typeset origins are baselines and bottom edges: not placed by the preview, so the field is left off.
        if (command.name === '^FT') field.skip = '^FT';
        break;
      }
      case '^A': {
        const spec = /^(.)([NRIB])?/.exec(command.params);
        const current = currentField();
        current.height = number(1, font.height);
        current.width = number(2, current.height);
        if (spec?.[2] && spec[2] !== 'N') current.rotated = `^A${spec[1]}${spec[2]}`;
        break;
      }
      case '^FB':
        currentField().block = { width: number(0, 0), lines: number(1, 1), justify: (args[3] || 'L').toUpperCase() };
        break;
      case '^FH':
        currentField().hexEscape = command.params.trim()[0] ?? '_';
        break;
      case '^FD':
        currentField().data = command.params;
        break;
      case '^GF': {
        const current = currentField();
        const bitmap = decodeGraphicField(command.params, (dots) => meter?.chargePixels(dots, 'a ^GF graphic field'));
        if (typeof bitmap === 'string') current.skip = `^GF (${bitmap})`;
        else current.graphic = bitmap;
        break;
      }
      case '^GB': {
        const current = currentField();
        const thickness = Math.max(1, number(2, 1));
        if (number(4, 0) > 0) notes.add('preview: rounded ^GB corners are drawn square');
        current.box = {
          width: Math.max(thickness, number(0, thickness)),
          height: Math.max(thickness, number(1, thickness)),
          thickness,
          colour: (args[3] ?? '').toUpperCase() === 'W' ? 'W' : 'B',
        };
        break;
      }
      case '^FS':
        finishField();
        break;
      default:
        if (NO_DRAWING.has(command.name)) break;
        notDrawn.add(command.name);
        // A field that is a barcode, reversed or placed otherwise would be drawn wrongly: leave it all off.
        if (field) field.skip = command.name;
    }
  }
  if (label) notes.add('preview: a label without ^XZ at the end is not drawn');
  const warnings = [...notes];
  if (notDrawn.size > 0) warnings.unshift(`preview: not drawn (the preview does not read them): ${[...notDrawn].slice(0, 20).join(', ')}${notDrawn.size > 20 ? ', …' : ''}`);
  return { labels, warnings };
}

/** The label as long as ^LL says; without one, down to its lowest field. */
function closeLabel(label: LabelDrawing, length: number | undefined, notes: Set<string>, number: number): LabelDrawing {
  if (length !== undefined) return { ...label, lengthDots: length };
  notes.add(`preview: label ${number} sets no length (^LL); drawn down to its lowest field`);
  return { ...label, lengthDots: Math.max(1, ...label.items.map(itemBottom)) };
}

function itemBottom(item: LabelItem): number {
  if (item.kind === 'graphic') return item.y + item.bitmap.height;
  if (item.kind === 'box') return item.y + item.height;
  if (item.kind === 'text') return item.field.y + item.field.charDots;
  if (item.kind === 'barcode') return item.y + item.heightDots;
  return item.y + item.cell * 21;
}
