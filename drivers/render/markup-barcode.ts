import type { PrinterProfile } from '../../src/driver-api/index.js';
import { clampInt, param, sizeInDots } from './markup-params.js';
import type { MarkupParam } from './markup-parser.js';
import type { ReceiptOp, Symbology } from './receipt-ops.js';

const SYMBOLOGIES: Record<string, Symbology | 'qr'> = {
  code39: 'code39',
  code93: 'code93',
  code128: 'code128',
  ean13: 'ean13',
  jan13: 'ean13',
  ean8: 'ean8',
  jan8: 'ean8',
  upca: 'upca',
  'upc-a': 'upca',
  upce: 'upce',
  'upc-e': 'upce',
  itf: 'itf',
  codabar: 'codabar',
  nw7: 'codabar',
  qr: 'qr',
  qrcode: 'qr',
  'qr-code': 'qr',
};

const ERROR_LEVELS: Record<string, 'l' | 'm' | 'q' | 'h'> = { low: 'l', l: 'l', medium: 'm', m: 'm', quartile: 'q', q: 'q', high: 'h', h: 'h' };

/**
 * `[barcode: type code128; data 12345; height 10mm; module 2; hri]` and
 * `[barcode: type qr; data https://…; cell 4; ec high; model 2]` → an op, or a reason it cannot print.
 */
export function parseBarcode(params: MarkupParam[], profile: PrinterProfile): ReceiptOp | string {
  const typeName = (param(params, 'type', 't') ?? 'code128').toLowerCase();
  const symbology = SYMBOLOGIES[typeName];
  const data = param(params, 'data', 'd');
  if (symbology === undefined) return `barcode type "${typeName}" is not supported; skipped`;
  if (data === undefined || data === '') return 'barcode without data skipped';
  if (symbology === 'qr') {
    return {
      op: 'qrcode',
      data,
      cell: clampInt(param(params, 'cell', 'c', 'module', 'm'), 1, 8, 3),
      errorLevel: ERROR_LEVELS[(param(params, 'error-correction', 'ec') ?? 'm').toLowerCase()] ?? 'm',
      model: param(params, 'model') === '1' ? 1 : 2,
    };
  }
  const defaultHeight = Math.round(10 * profile.dotsPerMM);
  const heightDots = Math.min(255, sizeInDots(param(params, 'height', 'h'), profile, defaultHeight) ?? defaultHeight);
  return {
    op: 'barcode',
    symbology,
    data,
    heightDots: Math.max(1, heightDots),
    module: clampInt(param(params, 'module', 'm'), 1, 6, 2),
    hri: params.some((p) => p.name === 'hri'),
  };
}
