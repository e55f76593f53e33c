import { packRows, type Bitmap } from './bitmap.js';
import type { LabelItem, ZplLabel } from './zpl-label.js';

/** `^GFA` graphic field: ASCII hex rows, MSB first, 1 = black. */
export function graphicField(bitmap: Bitmap): string {
  const { bytesPerRow, bytes } = packRows(bitmap);
  const hex = Buffer.from(bytes).toString('hex').toUpperCase();
  return `^GFA,${bytes.length},${bytes.length},${bytesPerRow},${hex}`;
}

/** Field data with ^ ~ _ and \ written as hex escapes (^FH_), so text cannot inject commands. */
export function fieldData(text: string): string {
  return text.replace(/[\^~_\\]/g, (char) => `_${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

type BarcodeItem = Extract<LabelItem, { kind: 'barcode' }>;

/** How far below its ^FO a ^BQ symbol starts (the ^BY bar height sent just before it). */
const QR_DROP = 10;

/** The barcode command per symbology, interpretation line (HRI) below or none. */
function barcodeCommand(item: BarcodeItem): string {
  const h = item.heightDots;
  const f = item.hri ? 'Y' : 'N';
  switch (item.symbology) {
    case 'code128':
      return `^BCN,${h},${f},N,N`;
    case 'ean13':
      return `^BEN,${h},${f},N`;
    case 'ean8':
      return `^B8N,${h},${f},N`;
    case 'upca':
      return `^BUN,${h},${f},N,Y`;
    case 'upce':
      return `^B9N,${h},${f},N,Y`;
    case 'code39':
      return `^B3N,N,${h},${f},N`;
    case 'code93':
      return `^BAN,${h},${f},N,N`;
    case 'itf':
      return `^B2N,${h},${f},N,N`;
    case 'codabar':
      return `^BKN,N,${h},${f},N,A,A`;
  }
}

function itemZpl(item: LabelItem): string {
  switch (item.kind) {
    case 'graphic':
      return `^FO${item.x},${item.y}${graphicField(item.bitmap)}^FS`;
    case 'box':
      return `^FO${item.x},${item.y}^GB${item.width},${item.height},${item.thickness},${item.colour},0^FS`;
    case 'barcode':
      return `^FO${item.x},${item.y}^BY${item.moduleDots},3,${item.heightDots}${barcodeCommand(item)}^FH_^FD${fieldData(item.data)}^FS`;
    case 'qrcode':
      // ^BQ draws the symbol as far below its origin as the ^BY bar height (10 by default): reset it and start that much higher.
      return `^BY2,3,${QR_DROP}^FO${item.x},${Math.max(0, item.y - QR_DROP)}^BQN,2,${item.cell}^FH_^FD${item.errorLevel.toUpperCase()}A,${fieldData(item.data)}^FS`;
    case 'text': {
      const field = item.field;
      const width = field.charWidthDots ?? field.charDots;
      const reverse = field.reverse ? '^FR' : '';
      return `^FO${field.x},${field.y}^A0N,${field.charDots},${width}^FB${field.blockWidth},1,0,${field.justify ?? 'L'}${reverse}^FH_^FD${fieldData(field.text)}^FS`;
    }
  }
}

/**
 * One label in ZPL, `copies` times (^PQ). Labels with text or codes carry UTF-8 field data
 * (^CI28); a label of graphics alone is ASCII. Ends with ^XZ and a line break (ZPL ignores line
 * breaks between labels).
 */
export function encodeZplLabel(label: ZplLabel, copies: number): string {
  const utf8 = label.items.some((item) => item.kind === 'text' || item.kind === 'barcode' || item.kind === 'qrcode');
  return `^XA${utf8 ? '^CI28' : ''}^PW${label.widthDots}^LL${label.lengthDots}^LH0,0${label.items.map(itemZpl).join('')}^PQ${copies}^XZ\n`;
}
