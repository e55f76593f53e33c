import { RAW_TEXT_ELEMENTS, tokenizeHtml } from './html-tokenizer.js';

export interface HtmlElement {
  kind: 'element';
  name: string;
  attrs: ReadonlyMap<string, string>;
  children: HtmlNode[];
}

export type HtmlNode = HtmlElement | { kind: 'text'; text: string };

/** Open elements deeper than this are flattened into their parent (content kept). */
export const MAX_HTML_DEPTH = 200;

const VOID_ELEMENTS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'keygen', 'link', 'meta', 'param', 'source', 'track', 'wbr']);

/** Start tags that close an open `<p>` (HTML's "close a p element"). */
const CLOSES_P = new Set([
  'address', 'article', 'aside', 'blockquote', 'center', 'details', 'dialog', 'dir', 'div', 'dl', 'dd', 'dt', 'fieldset', 'figcaption', 'figure',
  'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'hr', 'li', 'main', 'menu', 'nav', 'ol', 'p', 'pre', 'section',
  'summary', 'table', 'ul',
]);

/** Elements an implied end tag does not look past. */
const SCOPE = new Set(['html', 'table', 'td', 'th', 'caption', 'template']);
const HEADINGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const HEAD_CONTENT = new Set(['base', 'link', 'meta', 'noscript', 'script', 'style', 'template', 'title']);

function element(name: string, attrs: ReadonlyMap<string, string> = new Map()): HtmlElement {
  return { kind: 'element', name, attrs, children: [] };
}

/**
 * Builds the element tree browsers would build for the HTML receipts meet, with HTML's error
 * recovery where it matters: void elements, `<p>` closed by the next block, `<li>`/`<tr>`/`<td>`
 * closed by the next of their kind, an end tag with no open element ignored (`</p>` alone is an
 * empty paragraph, `</br>` a `<br>`), a `<head>` left open closed by body content, unclosed
 * elements closed at the end. Nesting deeper than MAX_HTML_DEPTH is flattened with a warning.
 */
export function buildHtmlTree(source: string): { root: HtmlElement; warnings: string[] } {
  const root = element('#document');
  const stack: HtmlElement[] = [root];
  const warnings: string[] = [];
  const current = (): HtmlElement => stack[stack.length - 1]!;
  /** Pops through the nearest open element matching `test`, not looking past `boundary`; true if found. */
  const closeNearest = (test: (name: string) => boolean, boundary: ReadonlySet<string> = SCOPE): boolean => {
    for (let index = stack.length - 1; index > 0; index--) {
      const name = stack[index]!.name;
      if (test(name)) {
        stack.length = index;
        return true;
      }
      if (boundary.has(name)) return false;
    }
    return false;
  };
  const closeHead = (): void => {
    // <head> is only ever opened at the top (in <html> or alone).
    for (let index = 1; index < Math.min(stack.length, 3); index++) {
      if (stack[index]!.name === 'head') stack.length = index;
    }
  };
  let flattened = false;

  for (const token of tokenizeHtml(source)) {
    if (token.kind === 'text') {
      const parent = current();
      if (parent.name === 'head' && /\S/.test(token.text)) closeHead();
      const target = current();
      // A newline right after <pre> is not part of its content.
      const text = target.name === 'pre' && target.children.length === 0 ? token.text.replace(/^\n/, '') : token.text;
      const last = target.children[target.children.length - 1];
      if (last?.kind === 'text') last.text += text;
      else if (text !== '') target.children.push({ kind: 'text', text });
      continue;
    }
    if (token.kind === 'end') {
      if (token.name === 'br') {
        current().children.push(element('br'));
      } else if (!closeNearest((name) => name === token.name, new Set()) && token.name === 'p') {
        current().children.push(element('p'));
      }
      continue;
    }
    const { name } = token;
    if (name !== 'head' && !HEAD_CONTENT.has(name)) closeHead();
    if (CLOSES_P.has(name)) closeNearest((open) => open === 'p');
    if (HEADINGS.has(name) && HEADINGS.has(current().name)) stack.pop();
    if (name === 'li') closeNearest((open) => open === 'li', new Set([...SCOPE, 'ul', 'ol']));
    if (name === 'tr') closeNearest((open) => open === 'tr', new Set(['table']));
    if (name === 'td' || name === 'th') closeNearest((open) => open === 'td' || open === 'th', new Set(['tr', 'table']));
    const node = element(name, token.attrs);
    current().children.push(node);
    // `<div/>` opens a div, as in browsers; only a self-closed script/style/title holds nothing.
    if (VOID_ELEMENTS.has(name) || (token.selfClosing && RAW_TEXT_ELEMENTS.has(name))) continue;
    if (stack.length > MAX_HTML_DEPTH) {
      if (!flattened) warnings.push(`html: elements nested deeper than ${MAX_HTML_DEPTH} levels were flattened`);
      flattened = true;
      // The element stays (empty); what it held goes to the deepest open element.
      continue;
    }
    stack.push(node);
  }
  return { root, warnings };
}
