import { decodeEntities } from './html-entities.js';

/** One piece of an HTML document. Comments, doctypes and processing instructions are dropped. */
export type HtmlToken =
  | { kind: 'text'; text: string }
  | { kind: 'start'; name: string; attrs: Map<string, string>; selfClosing: boolean }
  | { kind: 'end'; name: string };

/** Elements whose content is raw text up to their end tag (never markup). */
export const RAW_TEXT_ELEMENTS: ReadonlySet<string> = new Set(['script', 'style', 'title', 'textarea', 'xmp']);
/** Of those, the ones whose text still decodes character references. */
const ESCAPABLE_RAW_TEXT: ReadonlySet<string> = new Set(['title', 'textarea']);

function isSpace(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f';
}

function isLetter(c: string | undefined): boolean {
  return c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

/** Reads a tag name or attribute name from `start`: up to whitespace, `/`, `>` (and `=` for attributes). */
function readName(s: string, start: number, stopAtEquals: boolean): number {
  let p = start;
  while (p < s.length) {
    const c = s[p]!;
    if (isSpace(c) || c === '/' || c === '>' || (stopAtEquals && c === '=' && p > start)) break;
    p++;
  }
  return p;
}

function skipSpace(s: string, start: number): number {
  let p = start;
  while (p < s.length && isSpace(s[p])) p++;
  return p;
}

/** A start tag at `lt` (`<` then a letter), or undefined when the input ends inside it (browsers drop such a tag). */
function readStartTag(s: string, lt: number): { token: HtmlToken & { kind: 'start' }; end: number } | undefined {
  let p = readName(s, lt + 1, false);
  const name = s.slice(lt + 1, p).toLowerCase();
  const attrs = new Map<string, string>();
  for (;;) {
    p = skipSpace(s, p);
    if (p >= s.length) return undefined;
    const c = s[p];
    if (c === '>') return { token: { kind: 'start', name, attrs, selfClosing: false }, end: p + 1 };
    if (c === '/') {
      if (s[p + 1] === '>') return { token: { kind: 'start', name, attrs, selfClosing: true }, end: p + 2 };
      p++;
      continue;
    }
    const nameEnd = readName(s, p, true);
    const attrName = s.slice(p, nameEnd).toLowerCase();
    p = skipSpace(s, nameEnd);
    let value = '';
    if (s[p] === '=') {
      p = skipSpace(s, p + 1);
      const quote = s[p];
      if (quote === '"' || quote === "'") {
        const close = s.indexOf(quote, p + 1);
        if (close < 0) return undefined;
        value = s.slice(p + 1, close);
        p = close + 1;
      } else {
        const start = p;
        while (p < s.length && !isSpace(s[p]) && s[p] !== '>') p++;
        value = s.slice(start, p);
      }
    }
    if (!attrs.has(attrName)) attrs.set(attrName, decodeEntities(value, true));
  }
}

/** Where the raw text of `<name>` ends: the start and end of its `</name>`, or undefined if it never closes. */
function rawTextEnd(s: string, from: number, name: string): { start: number; end: number } | undefined {
  let at = from;
  for (;;) {
    const close = s.indexOf('</', at);
    if (close < 0) return undefined;
    const after = s[close + 2 + name.length];
    if (s.slice(close + 2, close + 2 + name.length).toLowerCase() === name && (after === undefined || after === '>' || after === '/' || isSpace(after))) {
      const gt = s.indexOf('>', close);
      return { start: close, end: gt < 0 ? s.length : gt + 1 };
    }
    at = close + 2;
  }
}

/**
 * Splits HTML into text, start tags (lower-cased names, attributes with entities decoded, the first
 * of a repeated attribute kept) and end tags, the way a browser's tokenizer does for the cases
 * receipts meet: a `<` that starts no tag is text, a tag cut off by the end of input is dropped,
 * `<!-- … -->`, `<!DOCTYPE …>` and `<? … >` vanish, script/style/title content is raw text.
 * Never throws; linear in the input (no backtracking on huge attributes).
 */
export function tokenizeHtml(source: string): HtmlToken[] {
  const s = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const tokens: HtmlToken[] = [];
  let textStart = 0;
  let i = 0;
  const flushText = (end: number): void => {
    if (end > textStart) tokens.push({ kind: 'text', text: decodeEntities(s.slice(textStart, end)) });
  };
  const skipTo = (lt: number, end: number): void => {
    flushText(lt);
    i = end;
    textStart = end;
  };
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    if (lt < 0) break;
    const next = s[lt + 1];
    if (isLetter(next)) {
      const tag = readStartTag(s, lt);
      if (tag === undefined) {
        skipTo(lt, s.length);
        break;
      }
      skipTo(lt, tag.end);
      tokens.push(tag.token);
      if (RAW_TEXT_ELEMENTS.has(tag.token.name) && !tag.token.selfClosing) {
        const close = rawTextEnd(s, i, tag.token.name);
        const contentEnd = close?.start ?? s.length;
        const raw = s.slice(i, contentEnd);
        if (raw !== '') tokens.push({ kind: 'text', text: ESCAPABLE_RAW_TEXT.has(tag.token.name) ? decodeEntities(raw) : raw });
        if (close !== undefined) tokens.push({ kind: 'end', name: tag.token.name });
        i = textStart = close?.end ?? s.length;
      }
      continue;
    }
    if (next === '/') {
      if (isLetter(s[lt + 2])) {
        const nameEnd = readName(s, lt + 2, false);
        const gt = s.indexOf('>', nameEnd);
        if (gt < 0) {
          skipTo(lt, s.length);
          break;
        }
        skipTo(lt, gt + 1);
        tokens.push({ kind: 'end', name: s.slice(lt + 2, nameEnd).toLowerCase() });
      } else {
        // `</>` vanishes; `</3…>` is a bogus comment up to the next `>`.
        const gt = s.indexOf('>', lt + 2);
        skipTo(lt, gt < 0 ? s.length : gt + 1);
      }
      continue;
    }
    if (next === '!' && s.startsWith('<!--', lt)) {
      // `<!-->` and `<!--->` are empty comments; otherwise up to `-->` (or the end of input).
      const abrupt = /^<!---?>/.exec(s.slice(lt, lt + 6));
      const close = abrupt ? lt + abrupt[0].length - 3 : s.indexOf('-->', lt + 4);
      skipTo(lt, close < 0 ? s.length : close + 3);
      continue;
    }
    if (next === '!' || next === '?') {
      const gt = s.indexOf('>', lt + 2);
      skipTo(lt, gt < 0 ? s.length : gt + 1);
      continue;
    }
    // A `<` that starts nothing (`a < b`, `<3`) is text.
    i = lt + 1;
  }
  flushText(s.length);
  return tokens;
}
