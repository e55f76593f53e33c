/**
 * Parses ESC/POS and StarPRNT/Star Line byte streams back into meaning — text runs with their code
 * page, styles, alignment, cuts, drawer pulses, buzzers, barcodes, QR codes and raster sizes — so
 * tests can assert what a printer would do. Written from the command references, independently of
 * the encoder; an unknown command throws, so new output cannot slip by unread.
 */
export type ReceiptEvent =
  | { type: 'init' }
  | { type: 'text'; page: number; bytes: number[] }
  | { type: 'newline' }
  // One member per type, so that eventsOf(events, 'bold') extracts it (a member typed 'bold' | 'underline' | 'invert' extracts as never).
  | { type: 'bold'; on: boolean }
  | { type: 'underline'; on: boolean }
  | { type: 'invert'; on: boolean }
  | { type: 'size'; width: number; height: number }
  | { type: 'font'; font: number }
  | { type: 'align'; value: 'left' | 'center' | 'right' }
  | { type: 'codepage'; page: number }
  | { type: 'cut'; partial: boolean }
  | { type: 'pulse' }
  | { type: 'buzzer'; count: number }
  | { type: 'raster'; width: number; height: number; rows: number[][] }
  | { type: 'qrcode'; data: string }
  | { type: 'barcode'; data: string }
  | { type: 'other'; name: string };

const ALIGN = ['left', 'center', 'right'] as const;

class Reader {
  i = 0;
  constructor(readonly bytes: Uint8Array) {}
  get done(): boolean {
    return this.i >= this.bytes.length;
  }
  next(): number {
    if (this.i >= this.bytes.length) throw new Error(`stream ends inside a command at offset ${this.i}`);
    return this.bytes[this.i++]!;
  }
  take(n: number): number[] {
    if (this.i + n > this.bytes.length) throw new Error(`stream ends inside a command at offset ${this.i}`);
    const out = [...this.bytes.subarray(this.i, this.i + n)];
    this.i += n;
    return out;
  }
}

function pushText(events: ReceiptEvent[], page: number, byte: number): void {
  const last = events[events.length - 1];
  if (last?.type === 'text' && last.page === page) last.bytes.push(byte);
  else events.push({ type: 'text', page, bytes: [byte] });
}

function bitsOf(bytes: number[], widthBytes: number, height: number): number[][] {
  return Array.from({ length: height }, (_, y) => bytes.slice(y * widthBytes, (y + 1) * widthBytes));
}

/** ESC/POS. */
export function decodeEscPos(data: Uint8Array): ReceiptEvent[] {
  const r = new Reader(data);
  const events: ReceiptEvent[] = [];
  let page = 0;
  while (!r.done) {
    const b = r.next();
    if (b === 0x0a) events.push({ type: 'newline' });
    else if (b >= 0x20) pushText(events, page, b);
    else if (b === 0x1b) {
      const c = r.next();
      switch (c) {
        case 0x40: events.push({ type: 'init' }); page = 0; break;
        case 0x45: events.push({ type: 'bold', on: r.next() !== 0 }); break;
        case 0x2d: events.push({ type: 'underline', on: r.next() !== 0 }); break;
        case 0x4d: events.push({ type: 'font', font: r.next() }); break;
        case 0x61: events.push({ type: 'align', value: ALIGN[r.next() % 3]! }); break;
        case 0x74: page = r.next(); events.push({ type: 'codepage', page }); break;
        case 0x70: r.take(3); events.push({ type: 'pulse' }); break;
        case 0x42: { const n = r.next(); r.next(); events.push({ type: 'buzzer', count: n }); break; }
        case 0x33: r.next(); events.push({ type: 'other', name: 'line-spacing' }); break;
        case 0x32: events.push({ type: 'other', name: 'line-spacing' }); break;
        case 0x64: { const n = r.next(); for (let k = 0; k < n; k++) events.push({ type: 'newline' }); break; }
        default: throw new Error(`unknown ESC/POS command ESC 0x${c.toString(16)} at offset ${r.i - 2}`);
      }
    } else if (b === 0x1d) {
      const c = r.next();
      switch (c) {
        case 0x42: events.push({ type: 'invert', on: r.next() !== 0 }); break;
        case 0x21: { const n = r.next(); events.push({ type: 'size', width: (n >> 4) + 1, height: (n & 0x0f) + 1 }); break; }
        case 0x56: { const m = r.next(); if (m >= 65) r.next(); events.push({ type: 'cut', partial: m === 1 || m === 49 || m === 66 }); break; }
        case 0x76: {
          r.take(2);
          const [xL, xH, yL, yH] = r.take(4) as [number, number, number, number];
          const widthBytes = xL + xH * 256;
          const height = yL + yH * 256;
          events.push({ type: 'raster', width: widthBytes * 8, height, rows: bitsOf(r.take(widthBytes * height), widthBytes, height) });
          break;
        }
        case 0x28: {
          if (r.next() !== 0x6b) throw new Error(`unknown ESC/POS command GS ( at offset ${r.i - 3}`);
          const length = r.next() + r.next() * 256;
          const body = r.take(length);
          if (body[0] === 0x31 && body[1] === 0x50) events.push({ type: 'qrcode', data: String.fromCharCode(...body.slice(3)) });
          break;
        }
        case 0x68: case 0x77: case 0x48: case 0x66: case 0x50: r.next(); if (c === 0x50) r.next(); break;
        case 0x6b: {
          const m = r.next();
          const n = m >= 65 ? r.next() : -1;
          const bytes: number[] = [];
          if (n >= 0) bytes.push(...r.take(n));
          else for (let x = r.next(); x !== 0; x = r.next()) bytes.push(x);
          const text = String.fromCharCode(...bytes);
          events.push({ type: 'barcode', data: text.startsWith('{B') ? text.slice(2) : text });
          break;
        }
        default: throw new Error(`unknown ESC/POS command GS 0x${c.toString(16)} at offset ${r.i - 2}`);
      }
    } else if (b === 0x1c) {
      const c = r.next();
      if (c !== 0x2e) throw new Error(`unknown ESC/POS command FS 0x${c.toString(16)}`);
      events.push({ type: 'other', name: 'cancel-kanji' });
    } else if (b === 0x0d || b === 0x09) {
      events.push({ type: 'other', name: `ctrl-${b}` });
    } else {
      throw new Error(`unexpected control byte 0x${b.toString(16)} at offset ${r.i - 1}`);
    }
  }
  return events;
}

/** StarPRNT and Star Line mode (the commands both share). */
export function decodeStar(data: Uint8Array): ReceiptEvent[] {
  const r = new Reader(data);
  const events: ReceiptEvent[] = [];
  let page = 0;
  while (!r.done) {
    const b = r.next();
    if (b === 0x0a) events.push({ type: 'newline' });
    else if (b >= 0x20) pushText(events, page, b);
    else if (b === 0x07) events.push({ type: 'pulse' });
    else if (b === 0x1a) events.push({ type: 'pulse' });
    else if (b === 0x0d || b === 0x18) continue;
    else if (b === 0x1b) {
      const c = r.next();
      switch (c) {
        case 0x40: events.push({ type: 'init' }); page = 0; break;
        case 0x45: events.push({ type: 'bold', on: true }); break;
        case 0x46: events.push({ type: 'bold', on: false }); break;
        case 0x2d: events.push({ type: 'underline', on: r.next() % 0x30 !== 0 }); break;
        case 0x34: events.push({ type: 'invert', on: true }); break;
        case 0x35: events.push({ type: 'invert', on: false }); break;
        case 0x69: { const h = r.next(); const w = r.next(); events.push({ type: 'size', width: w + 1, height: h + 1 }); break; }
        case 0x64: events.push({ type: 'cut', partial: r.next() % 2 === 1 }); break;
        case 0x07: r.take(2); break; // drawer pulse width; the BEL or SUB that follows fires it
        case 0x30: events.push({ type: 'other', name: 'line-spacing' }); break;
        case 0x7a: r.next(); events.push({ type: 'other', name: 'line-spacing' }); break;
        case 0x58: {
          // 24-dot column image: each column three bytes, top to bottom, MSB first.
          const width = r.next() + r.next() * 256;
          const columns = r.take(width * 3);
          const widthBytes = Math.ceil(width / 8);
          const rows = Array.from({ length: 24 }, () => new Array<number>(widthBytes).fill(0));
          for (let x = 0; x < width; x++) {
            for (let y = 0; y < 24; y++) {
              if (columns[x * 3 + (y >> 3)]! & (0x80 >> (y & 7))) rows[y]![x >> 3]! |= 0x80 >> (x & 7);
            }
          }
          events.push({ type: 'raster', width, height: 24, rows });
          break;
        }
        case 0x62: {
          r.take(4);
          const bytes: number[] = [];
          for (let x = r.next(); x !== 0x1e; x = r.next()) bytes.push(x);
          events.push({ type: 'barcode', data: String.fromCharCode(...bytes) });
          break;
        }
        case 0x1e: { const d = r.next(); if (d !== 0x46) throw new Error('unknown Star command ESC RS'); events.push({ type: 'font', font: r.next() }); break; }
        case 0x1d: {
          const d = r.next();
          if (d === 0x61) events.push({ type: 'align', value: ALIGN[r.next() % 3]! });
          else if (d === 0x74) { page = r.next(); events.push({ type: 'codepage', page }); }
          else if (d === 0x07) { r.take(3); events.push({ type: 'buzzer', count: 1 }); }
          else if (d === 0x79) {
            const e = r.next();
            if (e === 0x53) r.take(2);
            else if (e === 0x44) { r.take(2); const n = r.next() + r.next() * 256; events.push({ type: 'qrcode', data: String.fromCharCode(...r.take(n)) }); }
            else if (e !== 0x50) throw new Error(`unknown Star QR command 0x${e.toString(16)}`);
          } else throw new Error(`unknown Star command ESC GS 0x${d.toString(16)} at offset ${r.i - 3}`);
          break;
        }
        default: throw new Error(`unknown Star command ESC 0x${c.toString(16)} at offset ${r.i - 2}`);
      }
    } else {
      throw new Error(`unexpected control byte 0x${b.toString(16)} at offset ${r.i - 1}`);
    }
  }
  return events;
}

/** The printed text, line by line, with bytes ≥ 0x80 as `\xNN` (the code page is in the events). */
export function printedLines(events: readonly ReceiptEvent[]): string[] {
  const lines: string[] = [''];
  for (const event of events) {
    if (event.type === 'newline') lines.push('');
    else if (event.type === 'text') {
      lines[lines.length - 1] += event.bytes.map((b) => (b < 0x80 ? String.fromCharCode(b) : `\\x${b.toString(16)}`)).join('');
    }
  }
  return lines.map((line) => line.trimEnd());
}

export function eventsOf<T extends ReceiptEvent['type']>(events: readonly ReceiptEvent[], type: T): Extract<ReceiptEvent, { type: T }>[] {
  return events.filter((event): event is Extract<ReceiptEvent, { type: T }> => event.type === type);
}
