import type { Bitmap } from './bitmap.js';
import type { Align, ReceiptOp } from './receipt-ops.js';

/** What an HTML element asks of the text inside it. */
export interface InlineStyle {
  bold: boolean;
  underline: boolean;
  width: number;
  height: number;
  font: 'A' | 'B';
  align: Align;
  /** Inside `<pre>`: whitespace and newlines kept. */
  pre: boolean;
}

export const DEFAULT_STYLE: InlineStyle = { bold: false, underline: false, width: 1, height: 1, font: 'A', align: 'left', pre: false };

/** HTML's whitespace (not U+00A0, which `&nbsp;` makes and which never collapses). */
const HTML_SPACE = /[ \t\n\r\f]+/;

/** Control characters would reach the printer as commands; a soft hyphen is invisible. */
function printable(text: string): string {
  return text.replace(/\u00a0/g, ' ').replace(/[\u0000-\u001f\u007f\u00ad]/g, '');
}

/**
 * Writes HTML content as receipt ops the way a browser lays out lines: whitespace collapsed,
 * none at the start or end of a line, one blank line between paragraphs (margins collapse, none
 * at the top), alignment set per line, styles emitted only when they change.
 */
export class HtmlReceiptWriter {
  readonly ops: ReceiptOp[] = [];
  private applied: Omit<InlineStyle, 'pre'> = { ...DEFAULT_STYLE };
  private lineStart = true;
  private printed = false;
  private blankPending = false;
  /** The style of a collapsed space waiting for the next word on the line. */
  private space: InlineStyle | undefined;
  /** A list marker waiting for the item's first content. */
  private marker: { text: string; style: InlineStyle } | undefined;

  /** Text outside `<pre>`: runs of whitespace become one space, dropped at line edges. */
  words(text: string, style: InlineStyle): void {
    const parts = text.split(HTML_SPACE);
    parts.forEach((word, index) => {
      if (index > 0 && !this.lineStart) this.space ??= style;
      if (word === '') return;
      this.beginContent(style);
      if (this.space !== undefined) this.write(' ', this.space);
      this.space = undefined;
      this.write(word, style);
    });
  }

  /** Text inside `<pre>`: every space kept, each newline a line break, tabs as four spaces. */
  verbatim(text: string, style: InlineStyle): void {
    text.split('\n').forEach((line, index) => {
      if (index > 0) this.lineBreak(style);
      const clean = line.replace(/\t/g, '    ');
      if (clean === '') return;
      this.beginContent(style);
      this.write(clean, style);
    });
  }

  /** `<br>`: ends the line; at the start of a line it makes an empty one. */
  lineBreak(style: InlineStyle): void {
    this.beginContent(style);
    this.space = undefined;
    this.ops.push({ op: 'newline' });
    this.lineStart = true;
  }

  /** A block boundary: what follows starts on a new line. */
  endLine(): void {
    this.space = undefined;
    if (this.lineStart) return;
    this.ops.push({ op: 'newline' });
    this.lineStart = true;
  }

  /** A paragraph margin: a blank line before the next content, if anything was printed before it. */
  blankLine(): void {
    this.endLine();
    this.blankPending = true;
  }

  /** A whole line of its own (a rule, a table row: `column` holds its two sides, as markup's column line). */
  line(text: string, style: InlineStyle, column?: { left: string; right: string }): void {
    this.endLine();
    this.beginContent(style);
    this.write(text, style);
    const last = this.ops[this.ops.length - 1];
    if (column !== undefined && last?.op === 'text' && last.text === printable(text)) last.column = { left: printable(column.left), right: printable(column.right) };
    this.endLine();
  }

  image(bitmap: Bitmap, style: InlineStyle): void {
    this.endLine();
    this.beginContent(style);
    if (!this.lineStart) this.endLine();
    this.ops.push({ op: 'image', bitmap });
    this.lineStart = true;
  }

  /** Starts a list item: `text` (bullet or number) goes before the item's first content. */
  startItem(text: string, style: InlineStyle): void {
    this.endLine();
    this.marker = { text, style };
  }

  /** Ends a list item; an empty one still prints its marker. */
  endItem(style: InlineStyle): void {
    if (this.marker !== undefined) this.beginContent(style);
    this.endLine();
  }

  /** Ends the document on a fresh line (each copy starts by initialising the printer, so no reset). */
  finish(): ReceiptOp[] {
    this.endLine();
    return this.ops;
  }

  private beginContent(style: InlineStyle): void {
    if (!this.lineStart) return;
    if (this.blankPending && this.printed) this.ops.push({ op: 'newline' });
    this.blankPending = false;
    if (style.align !== this.applied.align) {
      this.ops.push({ op: 'align', value: style.align });
      this.applied.align = style.align;
    }
    const marker = this.marker;
    this.marker = undefined;
    if (marker !== undefined) this.write(marker.text, marker.style);
    this.printed = true;
  }

  private write(text: string, style: InlineStyle): void {
    const clean = printable(text);
    if (clean === '') return;
    this.sync(style);
    const last = this.ops[this.ops.length - 1];
    if (last?.op === 'text') last.text += clean;
    else this.ops.push({ op: 'text', text: clean });
    this.lineStart = false;
    this.printed = true;
  }

  private sync(style: Omit<InlineStyle, 'pre' | 'align'>): void {
    const { applied, ops } = this;
    if (style.bold !== applied.bold) ops.push({ op: 'style', bold: style.bold });
    if (style.underline !== applied.underline) ops.push({ op: 'style', underline: style.underline });
    if (style.width !== applied.width || style.height !== applied.height) ops.push({ op: 'magnify', width: style.width, height: style.height });
    if (style.font !== applied.font) ops.push({ op: 'font', value: style.font });
    Object.assign(applied, { bold: style.bold, underline: style.underline, width: style.width, height: style.height, font: style.font });
  }
}
