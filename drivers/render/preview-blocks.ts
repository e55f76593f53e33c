import type { Align, ReceiptOp } from './receipt-ops.js';
import { INK, NOTE, PAPER, type PreviewBand } from './preview-canvas.js';
import { barcodeBars, type BarcodeBars } from './preview-barcode.js';
import { encodeQr, type QrSymbol } from './preview-qr.js';
import { PLAIN_STYLE, type TextPainter, type TextRun } from './preview-text.js';

type BarcodeOp = Extract<ReceiptOp, { op: 'barcode' }>;
type QrCodeOp = Extract<ReceiptOp, { op: 'qrcode' }>;

/** A 1-D barcode ready to draw: its size in dots and, unless it is a placeholder, the bars. */
export interface PreparedBarcode {
  width: number;
  /** Bars plus the human-readable line. */
  height: number;
  moduleDots: number;
  bars?: BarcodeBars;
}

/** A QR code ready to draw: its side in dots and, unless it is a placeholder, the symbol. */
export interface PreparedQrCode {
  side: number;
  symbol?: QrSymbol;
}

/** Where a block `width` dots wide starts on paper `paper` dots wide. */
export function alignedX(width: number, paper: number, align: Align): number {
  if (width >= paper) return 0;
  return align === 'left' ? 0 : align === 'right' ? paper - width : Math.floor((paper - width) / 2);
}

/** Approximate share of a QR symbol's codewords spent on error correction, per level. */
const QR_EC_SHARE = { l: 0.2, m: 0.38, q: 0.55, h: 0.65 } as const;

/** Modules on a side of the QR symbol the printer draws for this data (byte mode, model 2; estimated). */
export function qrModules(data: string, level: QrCodeOp['errorLevel']): number {
  const bytes = Buffer.byteLength(data, 'utf8');
  for (let version = 1; version <= 40; version++) {
    let raw = (16 * version + 128) * version + 64;
    if (version >= 2) {
      const aligns = Math.floor(version / 7) + 2;
      raw -= (25 * aligns - 10) * aligns - 55;
      if (version >= 7) raw -= 36;
    }
    const dataBytes = Math.floor((Math.floor(raw / 8) * (1 - QR_EC_SHARE[level])));
    if (dataBytes >= bytes + (version < 10 ? 2 : 3)) return 17 + 4 * version;
  }
  return 177;
}

/** Modules of a 1-D barcode of this symbology and data (quiet zones excluded; estimated for variable-width codes). */
export function barcodeModules(op: Pick<BarcodeOp, 'symbology' | 'data'>): number {
  const n = op.data.length;
  switch (op.symbology) {
    case 'ean13':
    case 'upca':
      return 95;
    case 'ean8':
      return 67;
    case 'upce':
      return 51;
    case 'code39':
      return (n + 2) * 16;
    case 'code93':
      return (n + 4) * 9 + 1;
    case 'itf':
      return n * 9 + 9;
    case 'codabar':
      return (n + 2) * 12;
    case 'code128':
      return (n + 3) * 11 + 2;
  }
}

/**
 * Barcodes and QR codes are drawn by the printer from their data; the preview draws them with its own
 * encoders (QR model 2; Code 128, EAN-13, EAN-8, UPC-A). Other symbologies are a grey box of about
 * the printed size, labelled with the symbology and the data. The human-readable text (HRI) goes below
 * when the printer prints it.
 */
export class BlockPainter {
  constructor(
    private readonly text: TextPainter,
    private readonly paper: number,
  ) {}

  /**
   * The barcode the preview draws: Code 128, EAN-13, EAN-8 and UPC-A as bars, each module `module + 1`
   * dots wide as the encoder asks the printer for (GS w / ESC b); other symbologies a placeholder box.
   */
  prepareBarcode(op: BarcodeOp): PreparedBarcode {
    const moduleDots = op.module + 1;
    const bars = barcodeBars(op.symbology, op.data);
    const width = Math.min(this.paper, (bars?.modules.length ?? barcodeModules(op)) * moduleDots);
    return { width, height: op.heightDots + (op.hri ? 28 : 0), moduleDots, ...(bars ? { bars } : {}) };
  }

  drawBarcode(band: PreviewBand, op: BarcodeOp, prepared: PreparedBarcode, align: Align): void {
    const { width, moduleDots, bars } = prepared;
    const x = alignedX(width, this.paper, align);
    if (bars) {
      bars.modules.forEach((bar, i) => {
        if (bar) band.fillRect(x + i * moduleDots, 0, moduleDots, op.heightDots, INK);
      });
    } else {
      band.strokeRect(x, 0, width, op.heightDots, NOTE, 2);
      for (let bar = x + 6; bar < x + width - 6; bar += 8) band.fillRect(bar, 4, 2, op.heightDots - 8, NOTE);
      this.label(band, `${op.symbology.toUpperCase()} ${op.data}`, x, width, Math.floor(op.heightDots / 2));
    }
    if (op.hri) {
      const runs: TextRun[] = [{ text: bars?.text ?? op.data, style: PLAIN_STYLE }];
      const hriWidth = this.text.measure(runs);
      this.text.drawRuns(band, runs, op.heightDots + 26, x + Math.floor((width - hriWidth) / 2), INK);
    }
  }

  /**
   * The QR symbol the preview draws: model 2 in byte mode at the op's error-correction level, each module
   * `cell` dots (the printer may pick another mask or mode: it scans alike). Model 1, or data no
   * version holds, gets a placeholder box.
   */
  prepareQrCode(op: QrCodeOp): PreparedQrCode {
    const symbol = op.model === 2 ? encodeQr(Buffer.from(op.data, 'utf8'), op.errorLevel) : undefined;
    const side = Math.min(this.paper, (symbol?.size ?? qrModules(op.data, op.errorLevel)) * op.cell);
    return symbol ? { side, symbol } : { side };
  }

  drawQrCode(band: PreviewBand, op: QrCodeOp, prepared: PreparedQrCode, align: Align): void {
    const { side, symbol } = prepared;
    const x = alignedX(side, this.paper, align);
    if (symbol) {
      for (let row = 0; row < symbol.size; row++) {
        for (let col = 0; col < symbol.size; col++) {
          if (symbol.modules[row * symbol.size + col]) band.fillRect(x + col * op.cell, row * op.cell, op.cell, op.cell, INK);
        }
      }
      return;
    }
    band.strokeRect(x, 0, side, side, NOTE, 2);
    const finder = op.cell * 7;
    for (const [fx, fy] of [[x, 0], [x + side - finder, 0], [x, side - finder]] as const) {
      band.strokeRect(fx, fy, finder, finder, NOTE, Math.max(1, op.cell));
      band.fillRect(fx + 2 * op.cell, fy + 2 * op.cell, 3 * op.cell, 3 * op.cell, NOTE);
    }
    this.label(band, 'QR', x, side, Math.floor(side / 2));
  }

  /** A dashed line across the paper where the cutter cuts; a partial cut leaves a tab in the middle. */
  drawCut(band: PreviewBand, type: 'full' | 'partial'): void {
    const y = Math.floor(band.height / 2) - 1;
    const middle = Math.floor(this.paper / 2);
    for (let x = 0; x < this.paper; x += 12) {
      if (type === 'partial' && Math.abs(x + 4 - middle) < 24) continue;
      band.fillRect(x, y, 8, 2, NOTE);
    }
  }

  /** Grey font-B text centred in [x, x + width), its bottom at `bottom`, clipped to the box. */
  private label(band: PreviewBand, text: string, x: number, width: number, bottom: number): void {
    const style = { ...PLAIN_STYLE, font: 'B' as const };
    const runs: TextRun[] = [{ text, style }];
    let fitted = text;
    while (fitted.length > 1 && this.text.measure([{ text: fitted, style }]) > width - 8) fitted = fitted.slice(0, -1);
    runs[0] = { text: fitted, style };
    const measured = this.text.measure(runs);
    const left = x + Math.max(0, Math.floor((width - measured) / 2));
    band.fillRect(left - 2, bottom + 8 - 19, measured + 4, 21, PAPER);
    this.text.drawRuns(band, runs, bottom + 8, left, NOTE);
  }
}
