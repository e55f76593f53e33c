import type { Symbology } from './receipt-ops.js';

/** A 1-D barcode as the printer draws it: modules left to right (1 = bar) and the human-readable text. */
export interface BarcodeBars {
  modules: Uint8Array;
  text: string;
}

// Code 128 symbol values 0-105 as bar/space widths (ISO/IEC 15417), bar first; the stop symbol is 2331112.
const CODE128 = (
  '212222 222122 222221 121223 121322 131222 122213 122312 132212 221213 221312 231212 112232 122132 122231 113222 ' +
  '123122 123221 223211 221132 221231 213212 223112 312131 311222 321122 321221 312212 322112 322211 212123 212321 ' +
  '232121 111323 131123 131321 112313 132113 132311 211313 231113 231311 112133 112331 132131 113123 113321 133121 ' +
  '313121 211331 231131 213113 213311 213131 311123 311321 331121 312113 312311 332111 314111 221411 431111 111224 ' +
  '111422 121124 121421 141122 141221 112214 112412 122114 122411 142112 142211 241211 221114 413111 241112 134111 ' +
  '111242 121142 121241 114212 124112 124211 411212 421112 421211 212141 214121 412121 111143 111341 131141 114113 ' +
  '114311 411113 411311 113141 114131 311141 411131 211412 211214 211232'
).split(' ');
const CODE128_STOP = '2331112';
const START = { A: 103, B: 104, C: 105 } as const;

// EAN/UPC digit patterns (left odd "L", left even "G", right "R") and the EAN-13 parity of the first digit.
const EAN_L = ['0001101', '0011001', '0010011', '0111101', '0100011', '0110001', '0101111', '0111011', '0110111', '0001011'];
const EAN_G = ['0100111', '0110011', '0011011', '0100001', '0011101', '0111001', '0000101', '0010001', '0001001', '0010111'];
const EAN_R = ['1110010', '1100110', '1101100', '1000010', '1011100', '1001110', '1010000', '1000100', '1001000', '1110100'];
const EAN13_PARITY = ['LLLLLL', 'LLGLGG', 'LLGGLG', 'LLGGGL', 'LGLLGG', 'LGGLLG', 'LGGGLL', 'LGLGLG', 'LGLGGL', 'LGGLGL'];

function widths(pattern: string): number[] {
  const modules: number[] = [];
  [...pattern].forEach((width, i) => {
    for (let k = 0; k < Number(width); k++) modules.push(i % 2 === 0 ? 1 : 0);
  });
  return modules;
}

/**
 * Code 128 values for the data: ESC/POS's "{A", "{B", "{C" prefix picks the code set (the receipt
 * encoder sends "{B" unless the data starts with "{"); otherwise set B. Undefined when the data does
 * not fit the set.
 */
function code128Values(data: string): { values: number[]; text: string } | undefined {
  const match = /^\{([ABC])(.*)$/s.exec(data);
  const set = (match?.[1] ?? 'B') as keyof typeof START;
  const text = match ? match[2]! : data;
  const values: number[] = [START[set]];
  if (set === 'C') {
    if (!/^(\d\d)*$/.test(text)) return undefined;
    for (let i = 0; i < text.length; i += 2) values.push(Number(text.slice(i, i + 2)));
  } else {
    for (const char of text) {
      const code = char.charCodeAt(0);
      if (set === 'B' && code >= 32 && code <= 127) values.push(code - 32);
      else if (set === 'A' && code >= 32 && code <= 95) values.push(code - 32);
      else if (set === 'A' && code < 32) values.push(code + 64);
      else return undefined;
    }
  }
  return { values, text };
}

function code128(data: string): BarcodeBars | undefined {
  const encoded = code128Values(data);
  if (!encoded || encoded.values.length < 2) return undefined;
  const { values } = encoded;
  const check = values.reduce((sum, value, i) => sum + value * Math.max(1, i), 0) % 103;
  const modules = [...values, check].flatMap((value) => widths(CODE128[value]!)).concat(widths(CODE128_STOP));
  return { modules: Uint8Array.from(modules), text: encoded.text };
}

/** The EAN/UPC check digit of the digits before it. */
function eanCheck(digits: string): number {
  const sum = [...digits].reverse().reduce((total, digit, i) => total + Number(digit) * (i % 2 === 0 ? 3 : 1), 0);
  return (10 - (sum % 10)) % 10;
}

/** Completes or checks the digits: `length - 1` digits get their check digit, `length` digits must end in it. */
function withCheckDigit(data: string, length: number): string | undefined {
  if (!/^\d+$/.test(data)) return undefined;
  if (data.length === length - 1) return data + eanCheck(data);
  if (data.length === length && eanCheck(data.slice(0, -1)) === Number(data.at(-1))) return data;
  return undefined;
}

function ean13(digits: string): BarcodeBars {
  const parity = EAN13_PARITY[Number(digits[0])]!;
  let bits = '101';
  for (let i = 1; i <= 6; i++) bits += (parity[i - 1] === 'L' ? EAN_L : EAN_G)[Number(digits[i])]!;
  bits += '01010';
  for (let i = 7; i <= 12; i++) bits += EAN_R[Number(digits[i])]!;
  bits += '101';
  return { modules: Uint8Array.from([...bits].map(Number)), text: digits };
}

function ean8(digits: string): BarcodeBars {
  let bits = '101';
  for (let i = 0; i < 4; i++) bits += EAN_L[Number(digits[i])]!;
  bits += '01010';
  for (let i = 4; i < 8; i++) bits += EAN_R[Number(digits[i])]!;
  bits += '101';
  return { modules: Uint8Array.from([...bits].map(Number)), text: digits };
}

/**
 * The bars of Code 128, EAN-13 (JAN-13), EAN-8 (JAN-8) and UPC-A barcodes; undefined for the other
 * symbologies, and for data the symbology cannot hold (the printer would not print it either).
 */
export function barcodeBars(symbology: Symbology, data: string): BarcodeBars | undefined {
  switch (symbology) {
    case 'code128':
      return code128(data);
    case 'ean13': {
      const digits = withCheckDigit(data, 13);
      return digits === undefined ? undefined : ean13(digits);
    }
    case 'upca': {
      const digits = withCheckDigit(data, 12);
      return digits === undefined ? undefined : { ...ean13(`0${digits}`), text: digits };
    }
    case 'ean8': {
      const digits = withCheckDigit(data, 8);
      return digits === undefined ? undefined : ean8(digits);
    }
    default:
      return undefined;
  }
}
