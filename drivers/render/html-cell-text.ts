import type { HtmlNode } from './html-tree.js';

/** Elements whose text a cell does not show. */
const HIDDEN = new Set(['head', 'title', 'script', 'style', 'template']);

function collect(node: HtmlNode, out: string[]): void {
  if (node.kind === 'text') {
    out.push(node.text);
    return;
  }
  if (HIDDEN.has(node.name)) return;
  if (node.name === 'br') out.push(' ');
  else if (node.name === 'img') out.push(` ${node.attrs.get('alt') ?? ''} `);
  for (const child of node.children) collect(child, out);
  if (node.name === 'td' || node.name === 'th' || node.name === 'p' || node.name === 'div' || node.name === 'li') out.push(' ');
}

/**
 * The text of a table cell or caption on one line: whitespace collapsed and trimmed (`&nbsp;`
 * kept), `<br>` a space, images by their `alt` text, control characters removed.
 */
export function htmlCellText(node: HtmlNode): string {
  const out: string[] = [];
  collect(node, out);
  return out
    .join('')
    .replace(/[\u0000-\u0008\u000b\u000e-\u001f\u007f\u00ad]/g, '')
    .replace(/[ \t\n\r\f]+/g, ' ')
    .trim();
}

/** Whether `node` holds an element named `name` (a cell's image, which a column line cannot print). */
export function containsElement(node: HtmlNode, name: string): boolean {
  return node.kind === 'element' && node.children.some((child) => child.kind === 'element' && (child.name === name || containsElement(child, name)));
}
