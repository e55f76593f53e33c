import type { PrinterProfile } from '../../src/driver-api/index.js';
import { printableDots } from './bitmap.js';
import { decodeDataUrl } from './data-url.js';
import { containsElement, htmlCellText } from './html-cell-text.js';
import { HtmlReceiptWriter, DEFAULT_STYLE, type InlineStyle } from './html-receipt-writer.js';
import { buildHtmlTree, type HtmlElement, type HtmlNode } from './html-tree.js';
import { imageToBitmap, type ImageContext } from './image-to-bitmap.js';
import { RenderMeter } from './render-meter.js';
import type { TextLayout } from './markup-document.js';
import { sizeInDots } from './markup-params.js';
import type { Align, ReceiptDocument } from './receipt-ops.js';
import { columnLine, columnParts } from './text-width.js';

/**
 * Headings: magnification (width × height), all bold. `<h2>` is double height, not double width:
 * on 58 mm paper a double-wide line holds 16 characters and reads stretched; a tall one keeps 32.
 */
const HEADING_SIZE = new Map<string, [number, number]>([['h1', [2, 2]], ['h2', [1, 2]], ['h3', [1, 1]], ['h4', [1, 1]], ['h5', [1, 1]], ['h6', [1, 1]]]);
/** Blocks without margins: their content starts and ends a line. */
const BLOCKS = new Set(['html', 'body', 'div', 'center', 'section', 'article', 'header', 'footer', 'main', 'nav', 'aside', 'address', 'blockquote', 'figure', 'figcaption']);
/** Elements whose content is not printed (as in a browser). */
const DROPPED = new Set(['head', 'title', 'script', 'style', 'template']);
/** Known elements printed as their content, with no effect of their own and no warning. */
const TRANSPARENT = new Set(['span', 'a', 'code', 'tt', 'kbd', 'samp', 'abbr', 'time', 'data', 'meta', 'link', 'base', 'thead', 'tbody', 'tfoot', 'td', 'th', 'colgroup', 'col', 'caption']);

interface Context {
  writer: HtmlReceiptWriter;
  warnings: string[];
  profile: PrinterProfile;
  layout: TextLayout;
  images: ImageContext;
  listDepth: number;
}

/** Distinct warnings kept per job; past this one line says more were left out. */
const MAX_WARNINGS = 30;

function warnOnce(ctx: Context, message: string): void {
  if (ctx.warnings.includes(message)) return;
  if (ctx.warnings.length < MAX_WARNINGS) ctx.warnings.push(message);
  else if (ctx.warnings.length === MAX_WARNINGS) ctx.warnings.push('html: more warnings left out');
}

/** Characters per line for text in `style` (font and magnified width), as markup's `column` counts them. */
function lineColumns(style: InlineStyle, layout: TextLayout): number {
  return Math.max(1, Math.floor((style.font === 'B' ? layout.fontBColumns : layout.columns) / style.width));
}

/** `style="text-align: …"` (first) or `align="…"` on a block element, else the inherited alignment. */
export function blockAlign(element: HtmlElement, inherited: Align): Align {
  const css = /(?:^|;)\s*text-align\s*:\s*([a-z-]+)/i.exec(element.attrs.get('style') ?? '')?.[1];
  const value = (css ?? element.attrs.get('align') ?? '').trim().toLowerCase();
  if (value === 'center' || value === 'centre' || value === 'middle' || value === '-webkit-center') return 'center';
  if (value === 'right' || value === 'end' || value === '-webkit-right') return 'right';
  if (value === 'left' || value === 'start' || value === 'justify' || value === '-webkit-left') return 'left';
  return inherited;
}

/**
 * Renders the documented HTML subset (README "HTML receipts") into the same receipt ops as Star
 * markup: styles, alignment, magnification, font B, column lines laid out by `columnLine`, images
 * through the markup image path. Never throws on malformed HTML; a broken data: image is a
 * DOCUMENT_FORMAT_ERROR, as in markup.
 */
export function htmlDocument(source: string, profile: PrinterProfile, layout: TextLayout, images: ImageContext = { profile, meter: RenderMeter.of({ profile }) }): ReceiptDocument {
  const { root, warnings } = buildHtmlTree(source);
  const ctx: Context = { writer: new HtmlReceiptWriter(), warnings: [...warnings], profile, layout, images, listDepth: 0 };
  renderChildren(root, DEFAULT_STYLE, ctx);
  return { ops: ctx.writer.finish(), warnings: ctx.warnings };
}

function renderChildren(parent: HtmlElement, style: InlineStyle, ctx: Context): void {
  for (const child of parent.children) renderNode(child, style, ctx);
}

function renderNode(node: HtmlNode, style: InlineStyle, ctx: Context): void {
  const { writer } = ctx;
  if (node.kind === 'text') {
    if (style.pre) writer.verbatim(node.text, style);
    else writer.words(node.text, style);
    return;
  }
  const { name } = node;
  const heading = HEADING_SIZE.get(name);
  if (heading !== undefined) {
    const [width, height] = heading;
    writer.blankLine();
    renderChildren(node, { ...style, bold: true, width, height, align: blockAlign(node, style.align) }, ctx);
    writer.blankLine();
    return;
  }
  if (BLOCKS.has(name)) {
    writer.endLine();
    renderChildren(node, { ...style, align: name === 'center' ? 'center' : blockAlign(node, style.align) }, ctx);
    writer.endLine();
    return;
  }
  switch (name) {
    case 'p':
    case 'pre':
      writer.blankLine();
      renderChildren(node, { ...style, align: blockAlign(node, style.align), pre: style.pre || name === 'pre' }, ctx);
      writer.blankLine();
      return;
    case 'br':
      writer.lineBreak(style);
      return;
    case 'b':
    case 'strong':
      renderChildren(node, { ...style, bold: true }, ctx);
      return;
    case 'u':
      renderChildren(node, { ...style, underline: true }, ctx);
      return;
    case 'i':
    case 'em':
      warnOnce(ctx, 'html: <i> and <em> printed plain: receipt printers have no italics');
      renderChildren(node, style, ctx);
      return;
    case 'small':
      renderChildren(node, { ...style, font: 'B' }, ctx);
      return;
    case 'hr':
      writer.line('-'.repeat(lineColumns(style, ctx.layout)), { ...style, underline: false });
      return;
    case 'table':
      writer.endLine();
      renderTableBody(node, { ...style, align: blockAlign(node, style.align) }, ctx);
      writer.endLine();
      return;
    case 'tr':
      renderRow(node, style, ctx);
      return;
    case 'ul':
    case 'ol':
      renderList(node, style, ctx);
      return;
    case 'li':
      writer.startItem('- ', style);
      renderChildren(node, { ...style, align: blockAlign(node, style.align) }, ctx);
      writer.endItem(style);
      return;
    case 'img':
      renderImage(node, style, ctx);
      return;
    default:
      if (DROPPED.has(name)) return;
      if (!TRANSPARENT.has(name)) warnOnce(ctx, `html: <${name.slice(0, 40)}> is not supported; its content was printed`);
      renderChildren(node, style, ctx);
  }
}

/** A table's rows in order (through thead/tbody/tfoot), its caption centred; other content as usual. */
function renderTableBody(table: HtmlElement, style: InlineStyle, ctx: Context): void {
  for (const child of table.children) {
    if (child.kind === 'element' && (child.name === 'thead' || child.name === 'tbody' || child.name === 'tfoot')) {
      renderTableBody(child, style, ctx);
    } else if (child.kind === 'element' && child.name === 'caption') {
      ctx.writer.endLine();
      ctx.writer.words(htmlCellText(child), { ...style, align: 'center' });
      ctx.writer.endLine();
    } else if (child.kind === 'element' && (child.name === 'colgroup' || child.name === 'col')) {
      continue;
    } else {
      renderNode(child, style, ctx);
      if (child.kind === 'text' && /\S/.test(child.text)) ctx.writer.endLine();
    }
  }
}

/**
 * A row as markup's column line: the first cells flush left, the last flush right, at the line's
 * width. A row of one cell is a wrapped line in the cell's alignment; a row of header cells is bold.
 */
function renderRow(row: HtmlElement, style: InlineStyle, ctx: Context): void {
  const cells = row.children.filter((child): child is HtmlElement => child.kind === 'element' && (child.name === 'td' || child.name === 'th'));
  if (cells.length === 0) return;
  const rowStyle = cells.every((cell) => cell.name === 'th') ? { ...style, bold: true } : style;
  const texts = cells.map(htmlCellText);
  if (cells.length > 3) warnOnce(ctx, 'html: table rows of more than 3 cells print the middle cells joined on the left');
  if (cells.some((cell) => containsElement(cell, 'img'))) warnOnce(ctx, 'html: images in table cells are not printed (their alt text is)');
  if (cells.length === 1) {
    ctx.writer.endLine();
    ctx.writer.words(texts[0]!, { ...rowStyle, align: blockAlign(cells[0]!, blockAlign(row, style.align)) });
    ctx.writer.endLine();
    return;
  }
  const left = texts.slice(0, -1).filter((text) => text !== '').join(' ');
  const columns = lineColumns(rowStyle, ctx.layout);
  const right = texts[texts.length - 1]!;
  ctx.writer.line(columnLine(left, right, columns), rowStyle, columnParts(left, right, columns));
}

function renderList(list: HtmlElement, style: InlineStyle, ctx: Context): void {
  const { writer } = ctx;
  const ordered = list.name === 'ol';
  const start = Number.parseInt(list.attrs.get('start') ?? '', 10);
  let number = Number.isFinite(start) ? start : 1;
  const indent = '  '.repeat(ctx.listDepth);
  const listStyle = { ...style, align: blockAlign(list, style.align) };
  if (ctx.listDepth === 0) writer.blankLine();
  else writer.endLine();
  ctx.listDepth += 1;
  for (const child of list.children) {
    if (child.kind === 'element' && child.name === 'li') {
      const value = Number.parseInt(child.attrs.get('value') ?? '', 10);
      if (ordered && Number.isFinite(value)) number = value;
      const itemStyle = { ...listStyle, align: blockAlign(child, listStyle.align) };
      writer.startItem(indent + (ordered ? `${number}. ` : '- '), itemStyle);
      renderChildren(child, itemStyle, ctx);
      writer.endItem(itemStyle);
      number += 1;
    } else {
      renderNode(child, listStyle, ctx);
    }
  }
  ctx.listDepth -= 1;
  if (ctx.listDepth === 0) writer.blankLine();
  else writer.endLine();
}

/** `width="120"`/`"120px"` (dots), `"50%"` (of the printable width), `"30mm"`. */
function imageWidth(value: string | undefined, profile: PrinterProfile, full: number): number | undefined {
  return sizeInDots(value?.trim().replace(/px$/i, ''), profile, full);
}

/**
 * `<img src="data:image/png|jpeg;base64,…">` through markup's image path: scaled to its `width`
 * (up or down, never wider than the paper), else 1:1 (README "Rendering rules"). Other sources are never fetched: skipped with a
 * warning, their `alt` text printed instead, as a browser shows it for an image it cannot load.
 */
function renderImage(img: HtmlElement, style: InlineStyle, ctx: Context): void {
  const src = (img.attrs.get('src') ?? '').trim();
  const alt = img.attrs.get('alt') ?? '';
  const skip = (message: string): void => {
    warnOnce(ctx, message);
    if (alt.trim() !== '') ctx.writer.words(alt, style);
  };
  if (!/^data:/i.test(src)) {
    skip('html: <img> skipped: only data: URLs are printed (printgate fetches nothing)');
    return;
  }
  const { mediaType, bytes } = decodeDataUrl(src);
  if (mediaType !== 'image/png' && mediaType !== 'image/jpeg' && mediaType !== 'image/jpg') {
    skip(`html: <img> of type ${mediaType.slice(0, 40)} skipped: only PNG and JPEG are printed`);
    return;
  }
  const full = printableDots(ctx.profile);
  const widthDots = imageWidth(img.attrs.get('width'), ctx.profile, full);
  ctx.writer.image(imageToBitmap(bytes, mediaType, ctx.images, { widthDots }), style);
}
