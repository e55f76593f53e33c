import { alignedX, barcodeModules, qrModules } from './preview-blocks.js';
import { barcodeBars } from './preview-barcode.js';
import { encodeQr } from './preview-qr.js';
import type { Align, ReceiptOp } from './receipt-ops.js';
import { tooComplex } from './render-meter.js';
import { charSize, labelMetrics, linePitch, PLAIN_LABEL_STYLE, runWidth, wrapRuns, type LabelMetrics, type LabelStyle, type TextRun } from './label-text.js';
import { MAX_LABEL_DOTS, type LabelItem, type ZplLabel } from './zpl-label.js';

export interface LabelLayoutContext {
  widthDots: number;
  dotsPerMM: number;
  /** Longest label: the budget's page height, at most ZPL's 32,000 dots; longer content goes on the next label. */
  maxLengthDots: number;
  warnings: string[];
}

type Block = { width: number; height: number; item: (x: number, y: number) => LabelItem };

/**
 * Lays receipt ops (from Star markup or plain text) out as ZPL labels: text lines in font 0 with
 * their alignment and magnification (bold struck twice, underline and invert as boxes), column
 * lines as a left and a right field, barcodes and QR codes drawn by the printer (^BC…, ^BQ),
 * images as ^GF, feeds as space. A label is as long as its content; a cut, or content past the
 * longest label, starts the next one. Drawer and buzzer do not exist on labels (one warning).
 */
export function labelsFromOps(ops: readonly ReceiptOp[], ctx: LabelLayoutContext): ZplLabel[] {
  const layout = new LabelLayout(ctx);
  for (const op of ops) layout.add(op);
  return layout.finish();
}

class LabelLayout {
  private readonly metrics: LabelMetrics;
  private readonly labels: ZplLabel[] = [];
  private readonly maxLength: number;
  private items: LabelItem[] = [];
  private y: number;
  private style: LabelStyle = { ...PLAIN_LABEL_STYLE };
  private runs: TextRun[] = [];
  private column: { left: string; right: string; style: LabelStyle } | undefined;
  private lineAlign: Align = 'left';

  constructor(private readonly ctx: LabelLayoutContext) {
    this.metrics = labelMetrics(ctx.dotsPerMM, ctx.widthDots);
    this.maxLength = Math.min(ctx.maxLengthDots, MAX_LABEL_DOTS);
    this.y = this.metrics.margin;
  }

  add(op: ReceiptOp): void {
    switch (op.op) {
      case 'text':
        if (this.runs.length === 0 && this.column === undefined) this.lineAlign = this.style.align;
        if (op.column && this.runs.length === 0) this.column = { ...op.column, style: this.style };
        else this.runs.push({ text: op.text, style: this.style });
        return;
      case 'newline':
        this.newline();
        return;
      case 'align':
        this.style = { ...this.style, align: op.value };
        return;
      case 'style':
        this.style = { ...this.style, ...(op.bold === undefined ? {} : { bold: op.bold }), ...(op.underline === undefined ? {} : { underline: op.underline }), ...(op.invert === undefined ? {} : { invert: op.invert }) };
        return;
      case 'plain':
        this.style = { ...this.style, bold: false, underline: false, invert: false, width: 1, height: 1 };
        return;
      case 'magnify':
        this.style = { ...this.style, width: op.width, height: op.height };
        return;
      case 'font':
        this.style = { ...this.style, font: op.value };
        return;
      case 'feed':
        for (let i = 0; i < op.lines; i++) this.newline();
        return;
      case 'cut':
        this.endLine();
        this.endLabel();
        return;
      case 'drawer':
      case 'buzzer':
        this.ctx.warnings.push(`markup: [${op.op}] ignored: label printers have no ${op.op === 'drawer' ? 'drawer port' : 'buzzer'}`);
        return;
      default:
        this.endLine();
        this.block(this.blockOf(op));
    }
  }

  finish(): ZplLabel[] {
    this.endLine();
    this.endLabel();
    if (this.labels.length === 0) this.labels.push({ widthDots: this.ctx.widthDots, lengthDots: Math.max(linePitch(this.metrics.charA), 2 * this.metrics.margin), items: [] });
    return this.labels;
  }

  /** Ends the line; on an empty line, feeds one line of font A. */
  private newline(): void {
    if (this.runs.length === 0 && this.column === undefined) this.space(linePitch(this.metrics.charA));
    else this.endLine();
  }

  private endLine(): void {
    const { runs, column } = this;
    this.runs = [];
    this.column = undefined;
    if (column) {
      this.placeColumn(column);
    } else if (runs.length > 0) {
      for (const line of wrapRuns(runs, this.metrics)) this.placeLine(line);
    }
  }

  private placeLine(line: TextRun[]): void {
    const { margin, block } = this.metrics;
    const tallest = Math.max(this.metrics.charA, ...line.map((run) => charSize(run.style, this.metrics).height));
    this.room(linePitch(tallest));
    if (line.length === 1 && !line[0]!.style.underline && !line[0]!.style.invert) {
      // One style: the printer aligns the line in its field block (no width estimate involved).
      this.text(line[0]!, margin, block, tallest, this.lineAlign === 'center' ? 'C' : this.lineAlign === 'right' ? 'R' : 'L');
    } else {
      const total = line.reduce((sum, run) => sum + runWidth(run, this.metrics), 0);
      let x = margin + alignedX(total, block, this.lineAlign);
      for (const run of line) {
        const width = runWidth(run, this.metrics);
        this.text(run, x, width + 1, tallest, 'L');
        x += width;
      }
    }
    this.y += linePitch(tallest);
  }

  private placeColumn(column: { left: string; right: string; style: LabelStyle }): void {
    const { margin, block } = this.metrics;
    const height = charSize(column.style, this.metrics).height;
    this.room(linePitch(height));
    const right: TextRun = { text: column.right, style: column.style };
    const rightWidth = runWidth(right, this.metrics);
    if (column.left !== '') this.text({ text: column.left, style: column.style }, margin, Math.max(1, block - rightWidth), height, 'L');
    if (column.right !== '') this.text(right, margin, block, height, 'R');
    this.y += linePitch(height);
  }

  /** One run as a field (struck twice when bold), bottoms of a line's runs on one baseline. */
  private text(run: TextRun, x: number, blockWidth: number, lineHeight: number, justify: 'L' | 'C' | 'R'): void {
    const size = charSize(run.style, this.metrics);
    const y = this.y + lineHeight - size.height;
    const width = runWidth(run, this.metrics);
    const boxX = justify === 'L' ? x : justify === 'R' ? x + blockWidth - width : x + Math.floor((blockWidth - width) / 2);
    if (run.style.invert) this.items.push({ kind: 'box', x: boxX, y, width, height: size.height, thickness: size.height, colour: 'B' });
    const field = { x, y, charDots: size.height, charWidthDots: size.width, blockWidth, justify, text: run.text, ...(run.style.invert ? { reverse: true } : {}) };
    this.items.push({ kind: 'text', field });
    if (run.style.bold) this.items.push({ kind: 'text', field: { ...field, x: x + Math.max(1, Math.round(this.ctx.dotsPerMM / 6)) } });
    if (run.style.underline) {
      const thickness = Math.max(2, Math.round(this.ctx.dotsPerMM / 4));
      this.items.push({ kind: 'box', x: boxX, y: y + size.height + 1, width, height: thickness, thickness, colour: 'B' });
    }
  }

  private blockOf(op: Extract<ReceiptOp, { op: 'barcode' | 'qrcode' | 'image' }>): Block {
    if (op.op === 'image') return { width: op.bitmap.width, height: op.bitmap.height, item: (x, y) => ({ kind: 'graphic', x, y, bitmap: op.bitmap }) };
    if (op.op === 'qrcode') {
      const cell = Math.min(10, op.cell);
      const side = (encodeQr(Buffer.from(op.data, 'utf8'), op.errorLevel)?.size ?? qrModules(op.data, op.errorLevel)) * cell;
      return { width: side, height: side, item: (x, y) => ({ kind: 'qrcode', x, y, data: op.data, cell, errorLevel: op.errorLevel }) };
    }
    const moduleDots = op.module + 1;
    const width = (barcodeBars(op.symbology, op.data)?.modules.length ?? barcodeModules(op)) * moduleDots;
    const hri = op.hri ? Math.round(this.metrics.charA * 1.1) : 0;
    const item = (x: number, y: number): LabelItem => ({ kind: 'barcode', x, y, symbology: op.symbology, data: op.data, moduleDots, heightDots: op.heightDots, hri: op.hri });
    return { width, height: op.heightDots + hri, item };
  }

  /** A block (image, barcode, QR code) at the current alignment, then a margin's gap. */
  private block(block: Block): void {
    const gap = this.metrics.margin;
    this.room(block.height);
    const x = alignedX(block.width, this.ctx.widthDots, this.style.align);
    this.items.push(block.item(x, this.y));
    this.y += block.height + gap;
  }

  private space(dots: number): void {
    this.room(dots);
    this.y += dots;
  }

  /** Starts the next label unless `height` more dots fit on this one. */
  private room(height: number): void {
    const { margin } = this.metrics;
    if (this.y + height + margin <= this.maxLength) return;
    if (this.y > margin) this.endLabel();
    if (this.y + height + margin > this.maxLength) {
      throw tooComplex('maxPageHeightDots', this.maxLength, height + 2 * margin, `a line or block of ${height} dots does not fit on a label of at most ${this.maxLength} dots`);
    }
  }

  private endLabel(): void {
    const { margin } = this.metrics;
    if (this.items.length > 0 || this.y > margin) this.labels.push({ widthDots: this.ctx.widthDots, lengthDots: this.y + margin, items: this.items });
    this.items = [];
    this.y = margin;
  }
}
