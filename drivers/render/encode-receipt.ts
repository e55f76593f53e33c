import ReceiptPrinterEncoder from '@point-of-sale/receipt-printer-encoder';
import type { PrinterProfile, RenderOptions } from '../../src/driver-api/index.js';
import { bitmapToRgba, placeBitmap, printableDots } from './bitmap.js';
import { receiptColumns } from './receipt-columns.js';
import type { ReceiptOp } from './receipt-ops.js';

export type ReceiptLanguage = 'esc-pos' | 'star-prnt' | 'star-line';

/** Lines fed before a cut so the last line clears the cutter. */
const FEED_BEFORE_CUT: Record<ReceiptLanguage, number> = { 'esc-pos': 4, 'star-prnt': 3, 'star-line': 3 };

/** Ops after which the encoder is at the start of a line. */
const LINE_ENDING_OPS = new Set<ReceiptOp['op']>(['newline', 'barcode', 'qrcode', 'image', 'cut', 'feed']);

export interface EncodeContext {
  language: ReceiptLanguage;
  profile: PrinterProfile;
  warnings: string[];
}

/**
 * Code pages tried for each character, in this order: the common Western, euro and Cyrillic pages
 * before the rarer ones that happen to hold the same character (Epson's CP857 also has €).
 */
export const DEFAULT_CODEPAGES = {
  'esc-pos': ['cp437', 'cp858', 'cp866', 'epson/katakana', 'cp852', 'windows1252', 'cp850', 'cp860', 'cp863', 'cp865', 'cp857', 'cp737', 'iso8859-7', 'windows1250', 'windows1251', 'windows1253', 'windows1254', 'windows1255', 'windows1256', 'windows1257', 'windows1258', 'cp862', 'cp864', 'cp775', 'cp855', 'cp861', 'cp869'],
  star: ['cp437', 'cp858', 'cp866', 'star/katakana', 'cp852', 'windows1252', 'windows1250', 'windows1251', 'cp857', 'cp737', 'cp862', 'cp864', 'cp855', 'cp860', 'cp861', 'cp863', 'cp865', 'cp869', 'star/standard'],
} as const;

export function newEncoder(ctx: EncodeContext): ReceiptPrinterEncoder {
  const isStar = ctx.language !== 'esc-pos';
  const codepages = ctx.profile.codepages ?? DEFAULT_CODEPAGES[isStar ? 'star' : 'esc-pos'];
  return new ReceiptPrinterEncoder({
    codepageCandidates: [...codepages] as NonNullable<ConstructorParameters<typeof ReceiptPrinterEncoder>[0]>['codepageCandidates'],
    language: ctx.language,
    columns: receiptColumns(ctx.profile),
    newline: '\n',
    codepageMapping: (ctx.profile.codepageMapping ?? (isStar ? 'star' : 'epson')) as 'epson',
    feedBeforeCut: FEED_BEFORE_CUT[ctx.language],
    imageMode: 'raster',
    errors: 'strict',
  });
}

/**
 * One copy of a receipt: initialise, the ops, then a cut (or a feed past the tear bar when the
 * profile has no cutter) unless the document already ended with one.
 */
export function encodeCopy(ops: readonly ReceiptOp[], ctx: EncodeContext): Uint8Array {
  return composeCopy(ops, ctx).encode();
}

/** The encoder holding one copy, laid out but not yet encoded (the preview reads its lines). */
export function composeCopy(ops: readonly ReceiptOp[], ctx: EncodeContext): ReceiptPrinterEncoder {
  const encoder = newEncoder(ctx).initialize().codepage('auto');
  const width = printableDots(ctx.profile);
  let align: 'left' | 'center' | 'right' = 'left';
  // Fonts change between lines only (the encoder lays out whole lines): a change mid-line waits for the newline.
  let midLine = false;
  let pendingFont: 'A' | 'B' | undefined;
  for (const op of ops) {
    try {
      switch (op.op) {
        case 'text':
          encoder.text(op.text);
          midLine = true;
          break;
        case 'newline':
          encoder.newline();
          break;
        case 'align':
          align = op.value;
          encoder.align(op.value);
          break;
        case 'style':
          if (op.bold !== undefined) encoder.bold(op.bold);
          if (op.underline !== undefined) encoder.underline(op.underline);
          if (op.invert !== undefined) encoder.invert(op.invert);
          break;
        case 'plain':
          encoder.bold(false).underline(false).invert(false).size(1, 1);
          break;
        case 'magnify':
          encoder.size(op.width, op.height);
          break;
        case 'font':
          if (midLine) pendingFont = op.value;
          else encoder.font(op.value);
          break;
        case 'barcode':
          encoder.barcode(op.data, op.symbology, { height: op.heightDots, width: op.module, text: op.hri ? 'below' : 'none' });
          break;
        case 'qrcode':
          encoder.qrcode(op.data, { model: op.model, size: op.cell, errorlevel: op.errorLevel });
          break;
        case 'image': {
          const placed = placeBitmap(op.bitmap, width, align);
          encoder.image(bitmapToRgba(placed), { width: placed.width, height: placed.height, algorithm: 'threshold', threshold: 128 });
          break;
        }
        case 'cut':
          cut(encoder, ctx, op.type);
          break;
        case 'feed':
          encoder.newline(op.lines);
          break;
        case 'drawer':
          encoder.pulse();
          break;
        case 'buzzer':
          buzz(encoder, ctx, op.count);
          break;
      }
      if (LINE_ENDING_OPS.has(op.op)) {
        midLine = false;
        if (pendingFont !== undefined) encoder.font(pendingFont);
        pendingFont = undefined;
      }
    } catch (error) {
      ctx.warnings.push(`${op.op} skipped: ${(error as Error).message}`);
    }
  }
  if (ops[ops.length - 1]?.op !== 'cut') cut(encoder, ctx, ctx.profile.cutter === 'full' ? 'full' : 'partial');
  return encoder;
}

function cut(encoder: ReceiptPrinterEncoder, ctx: EncodeContext, type: 'full' | 'partial'): void {
  if (ctx.profile.cutter === 'none') encoder.newline(FEED_BEFORE_CUT[ctx.language]);
  else encoder.cut(type);
}

/** Buzzer: Star `ESC GS BEL m t1 t2` per beep; ESC/POS `ESC B n t` only where the profile has a buzzer. */
export function buzzerBytes(ctx: EncodeContext, count: number): Uint8Array | undefined {
  if (count <= 0) return new Uint8Array();
  if (ctx.language === 'esc-pos') {
    if (!ctx.profile.buzzer) return undefined;
    return Uint8Array.from([0x1b, 0x42, Math.min(count, 9), 2]);
  }
  const beep = [0x1b, 0x1d, 0x07, 0x01, 0x0a, 0x0a];
  return Uint8Array.from(Array.from({ length: count }, () => beep).flat());
}

function buzz(encoder: ReceiptPrinterEncoder, ctx: EncodeContext, count: number): void {
  const bytes = buzzerBytes(ctx, count);
  if (bytes === undefined) ctx.warnings.push(`buzzer ignored: profile ${ctx.profile.id} has no buzzer`);
  else encoder.raw(bytes);
}

/** The drawer kick on its own (ESC p on ESC/POS, ESC BEL on Star). */
export function drawerBytes(ctx: EncodeContext): Uint8Array {
  return newEncoder(ctx).pulse().encode();
}
