import { placeBitmap, printableDots, type Bitmap } from './bitmap.js';
import { composeCopy, type EncodeContext } from './encode-receipt.js';
import { BlockPainter } from './preview-blocks.js';
import { previewHeightLimit, PreviewCanvas, type PreviewBand } from './preview-canvas.js';
import { previewFonts } from './preview-font.js';
import { PrintedText } from './preview-printed-text.js';
import { lineBandHeight, LINE_SPACING, PLAIN_STYLE, TextPainter, type CellMetrics, type TextRun, type TextStyle } from './preview-text.js';
import { receiptColumns, receiptFontBColumns } from './receipt-columns.js';
import type { Align, ReceiptOp } from './receipt-ops.js';

export interface ReceiptPreview {
  /** 8-bit greyscale PNG: white paper, black dots, grey for what the printer does not print (cut marks, placeholders). */
  png: Uint8Array;
  width: number;
  height: number;
  warnings: string[];
}

/** One item of a laid-out encoder line (ReceiptPrinterEncoder.commands()). */
interface EncoderCommand {
  type: string;
  property?: string;
  value?: unknown;
  width?: number;
  height?: number;
}

type BarcodeOp = Extract<ReceiptOp, { op: 'barcode' }>;
type QrCodeOp = Extract<ReceiptOp, { op: 'qrcode' }>;

/** Items that change the printer's state but print nothing (a line of only these feeds no paper). */
const STATE_TYPES = new Set(['style', 'align', 'font', 'initialize', 'character-mode', 'codepage', 'line-spacing', 'motion-unit', 'print-mode', 'raw']);

/** The printer's cells on this paper: 12×24 and 9×17 dots, narrower only when the columns would not fit. */
export function cellMetrics(profile: EncodeContext['profile']): CellMetrics {
  const dots = printableDots(profile);
  return {
    A: { width: Math.max(1, Math.min(12, Math.floor(dots / receiptColumns(profile)))), height: 24 },
    B: { width: Math.max(1, Math.min(9, Math.floor(dots / receiptFontBColumns(profile)))), height: 17 },
  };
}

/**
 * Draws what one copy of a receipt prints. The ops go through the same encoder as the printer's
 * bytes (composeCopy), and the preview reads the encoder's laid-out lines: wrapping, alignment
 * padding, magnification, font changes and the feed before the cut are the encoder's own. Text is
 * drawn with a bitmap font after the same code-page choice ("?" where no page of the profile holds
 * a character); images are the dithered dots that are sent; QR codes and the common barcodes are
 * drawn from their data (others are grey placeholders); cuts are dashed grey lines.
 */
export function previewReceipt(ops: readonly ReceiptOp[], ctx: EncodeContext, maxPixels = Number.POSITIVE_INFINITY): ReceiptPreview {
  const paper = printableDots(ctx.profile);
  const cells = cellMetrics(ctx.profile);
  const missing = new Set<number>();
  const text = new TextPainter({ fonts: previewFonts(), cells, missing });
  const printed = new PrintedText(ctx);
  const painter = new LinePainter({
    canvas: new PreviewCanvas(paper, previewHeightLimit(paper, maxPixels)),
    blocks: new BlockPainter(text, paper),
    text,
    cells,
    queue: blockQueue(ops, paper, ctx.profile.cutter === 'full' ? 'full' : 'partial'),
    warnings: ctx.warnings,
  });
  const lines = composeCopy(ops, ctx).commands() as { commands: EncoderCommand[] }[];
  let style: TextStyle = { ...PLAIN_STYLE };
  let align: Align = 'left';
  for (const { commands } of lines) {
    const runs: TextRun[] = [];
    for (const item of commands) {
      if (item.type === 'style') style = applyStyle(style, item);
      else if (item.type === 'font' && (item.value === 'A' || item.value === 'B')) style = { ...style, font: item.value };
      else if (item.type === 'align' && (item.value === 'left' || item.value === 'center' || item.value === 'right')) align = item.value;
      else if (item.type === 'text' && typeof item.value === 'string' && item.value !== '') runs.push({ text: printed.of(item.value), style });
    }
    const types = new Set(commands.map((item) => item.type));
    if (types.has('image')) painter.image(commands);
    else if (types.has('qrcode')) painter.qrCode(commands, align);
    else if (types.has('barcode')) painter.barcode(commands, align);
    else if (types.has('cut')) painter.cut();
    else if (runs.length > 0) painter.text(runs);
    // A line of state changes only feeds no paper; anything else (an empty line, a drawer pulse) feeds one line.
    else if (commands.some((item) => !STATE_TYPES.has(item.type))) painter.feed();
  }
  if (missing.size > 0) {
    const list = [...missing].slice(0, 8).map((code) => `U+${code.toString(16).toUpperCase().padStart(4, '0')}`);
    ctx.warnings.push(`preview: the preview font has no glyph for ${list.join(', ')}${missing.size > 8 ? ', …' : ''}; drawn as boxes`);
  }
  return { png: painter.png(), width: paper, height: painter.height, warnings: [...new Set(ctx.warnings)] };
}

interface LinePainterDeps {
  canvas: PreviewCanvas;
  blocks: BlockPainter;
  text: TextPainter;
  cells: CellMetrics;
  queue: BlockQueue;
  warnings: string[];
}

/** Draws the encoder's lines one below the other; blocks are matched to the ops they came from. */
class LinePainter {
  private full = false;

  constructor(private readonly deps: LinePainterDeps) {}

  get height(): number {
    return this.deps.canvas.height;
  }

  png(): Uint8Array {
    return this.deps.canvas.toPng();
  }

  /** The next band, or undefined (once, with a warning) when the canvas is full. */
  private band(height: number): PreviewBand | undefined {
    const next = this.full ? undefined : this.deps.canvas.band(height);
    if (!next && !this.full) {
      this.full = true;
      this.deps.warnings.push(`preview: only the first ${this.deps.canvas.maxHeight} dots of the receipt are drawn`);
    }
    return next;
  }

  /** The dots sent, the height the encoder padded them to, then the line feed after a block. */
  image(commands: readonly EncoderCommand[]): void {
    const images = commands.filter((item) => item.type === 'image');
    const bitmap = takeFirst(this.deps.queue.images, (candidate) => images.some((item) => item.width === undefined || item.width === candidate.width));
    if (!bitmap) return;
    const sent = images.reduce((sum, item) => sum + (item.height ?? 0), 0);
    this.band(Math.max(bitmap.height, sent))?.blit(bitmap, 0, 0);
    this.feed();
  }

  qrCode(commands: readonly EncoderCommand[], align: Align): void {
    const data = commands.find((item) => item.type === 'qrcode' && item.property === 'data')?.value;
    const op = takeFirst(this.deps.queue.qrcodes, (candidate) => data === undefined || candidate.data === data);
    if (!op) return;
    const prepared = this.deps.blocks.prepareQrCode(op);
    const target = this.band(prepared.side);
    if (target) this.deps.blocks.drawQrCode(target, op, prepared, align);
    this.feed();
    if (!prepared.symbol) this.deps.warnings.push('preview: this QR code (model 1, or too much data) is shown as a grey box of about the printed size');
  }

  barcode(commands: readonly EncoderCommand[], align: Align): void {
    const sent = commands.find((item) => item.type === 'barcode' && typeof item.value === 'object' && item.value !== null);
    // ESC/POS Code 128 data carries the code set ("{B…"); Star's does not.
    const data = String((sent?.value as { data?: unknown } | undefined)?.data ?? '').replace(/^\{[ABC]/, '');
    const op = takeFirst(this.deps.queue.barcodes, (candidate) => candidate.data.replace(/^\{[ABC]/, '') === data);
    if (!op) return;
    const prepared = this.deps.blocks.prepareBarcode(op);
    const target = this.band(prepared.height);
    if (target) this.deps.blocks.drawBarcode(target, op, prepared, align);
    this.feed();
    if (!prepared.bars) this.deps.warnings.push(`preview: ${op.symbology} barcodes are drawn by the printer; the preview shows a grey box of about the printed size`);
  }

  cut(): void {
    const target = this.band(24);
    if (target) this.deps.blocks.drawCut(target, this.deps.queue.cuts.shift() ?? this.deps.queue.defaultCut);
  }

  text(runs: readonly TextRun[]): void {
    const { cells } = this.deps;
    const target = this.band(lineBandHeight(runs, cells));
    const bottom = Math.max(cells.A.height, ...runs.map((run) => cells[run.style.font].height * run.style.height));
    if (target) this.deps.text.drawRuns(target, runs, bottom);
  }

  feed(): void {
    this.band(LINE_SPACING);
  }
}

function applyStyle(style: TextStyle, item: EncoderCommand): TextStyle {
  switch (item.property) {
    case 'bold':
    case 'underline':
    case 'invert':
      return { ...style, [item.property]: item.value === true };
    case 'size': {
      const size = item.value as { width?: number; height?: number } | undefined;
      return { ...style, width: clampSize(size?.width), height: clampSize(size?.height) };
    }
    default:
      return style;
  }
}

function clampSize(value: number | undefined): number {
  return Math.min(8, Math.max(1, Math.round(value ?? 1)));
}

/** Removes items from the front of the queue up to the first that matches (an op the encoder skipped never prints), and returns it. */
function takeFirst<T>(queue: T[], matches: (item: T) => boolean): T | undefined {
  const index = queue.findIndex(matches);
  if (index < 0) return undefined;
  return queue.splice(0, index + 1).at(-1);
}

interface BlockQueue {
  images: Bitmap[];
  barcodes: BarcodeOp[];
  qrcodes: QrCodeOp[];
  cuts: ('full' | 'partial')[];
  defaultCut: 'full' | 'partial';
}

/** The ops the encoder turns into blocks, in print order; images placed on the paper as composeCopy places them. */
function blockQueue(ops: readonly ReceiptOp[], paper: number, defaultCut: 'full' | 'partial'): BlockQueue {
  const queue: BlockQueue = { images: [], barcodes: [], qrcodes: [], cuts: [], defaultCut };
  let align: Align = 'left';
  for (const op of ops) {
    if (op.op === 'align') align = op.value;
    else if (op.op === 'image') queue.images.push(placeBitmap(op.bitmap, paper, align));
    else if (op.op === 'barcode') queue.barcodes.push(op);
    else if (op.op === 'qrcode') queue.qrcodes.push(op);
    else if (op.op === 'cut') queue.cuts.push(op.type);
  }
  return queue;
}
