import { newEncoder, type EncodeContext } from './encode-receipt.js';

const QUESTION_MARK = 0x3f;

/**
 * Text as the printer prints it: the receipt encoder picks, per character, a code page of the
 * profile that holds it and sends "?" for the rest. Asks the same encoder, one run at a time, and
 * remembers the answers for the life of one preview.
 */
export class PrintedText {
  private readonly known = new Map<string, string>();

  constructor(private readonly ctx: EncodeContext) {}

  of(text: string): string {
    if (/^[\x20-\x7e]*$/.test(text)) return text;
    const fresh = [...new Set(text)].filter((char) => !this.known.has(char));
    if (fresh.length > 0) this.learn(fresh);
    let out = '';
    for (const unit of text) out += this.known.get(unit) ?? unit;
    return out;
  }

  /** Encodes the characters in one run and reads back, per character, whether it came out as "?". */
  private learn(chars: string[]): void {
    const bytes = this.encode(chars.join(''));
    if (bytes.length === chars.join('').length) {
      let offset = 0;
      for (const char of chars) {
        const printed = bytes.subarray(offset, offset + char.length);
        offset += char.length;
        this.known.set(char, char !== '?' && printed.every((byte) => byte === QUESTION_MARK) ? '?'.repeat(char.length) : char);
      }
      return;
    }
    for (const char of chars) {
      const printed = this.encode(char);
      this.known.set(char, char !== '?' && printed.length > 0 && printed.every((byte) => byte === QUESTION_MARK) ? '?'.repeat(printed.length) : char);
    }
  }

  private encode(text: string): Uint8Array {
    try {
      const lines = newEncoder({ ...this.ctx, warnings: [] }).codepage('auto').text(text).encode('lines') as { type: string; payload?: number[] | Uint8Array }[][];
      return Uint8Array.from(lines.flat().flatMap((item) => (item.type === 'text' && item.payload ? Array.from(item.payload) : [])));
    } catch {
      return new Uint8Array();
    }
  }
}
