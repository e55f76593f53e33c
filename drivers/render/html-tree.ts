import { parse, type DefaultTreeAdapterTypes } from 'parse5';

export interface HtmlElement {
  kind: 'element';
  name: string;
  attrs: ReadonlyMap<string, string>;
  children: HtmlNode[];
}

export type HtmlNode = HtmlElement | { kind: 'text'; text: string };

/** Elements deeper than this are flattened into the element at this depth (their content kept). */
export const MAX_HTML_DEPTH = 200;

type Parse5Node = DefaultTreeAdapterTypes.ChildNode;

function element(name: string, attrs: ReadonlyMap<string, string> = new Map()): HtmlElement {
  return { kind: 'element', name, attrs, children: [] };
}

function pushText(target: HtmlElement, text: string): void {
  const last = target.children[target.children.length - 1];
  if (last?.kind === 'text') last.text += text;
  else if (text !== '') target.children.push({ kind: 'text', text });
}

/**
 * The element tree a browser builds for `source`: parse5, which implements the HTML parsing
 * algorithm (every named character reference, implied and misnested tags, the adoption agency,
 * foster parenting of stray table text, `<pre>`'s first newline) — then copied, without
 * recursion, into the small tree the receipt writer reads. Comments and doctypes are dropped,
 * `<template>` content is not part of the document. Nesting deeper than MAX_HTML_DEPTH is
 * flattened with a warning. Never throws.
 */
export function buildHtmlTree(source: string): { root: HtmlElement; warnings: string[] } {
  const document = parse(source);
  const root = element('#document');
  const warnings: string[] = [];
  const stack: { nodes: readonly Parse5Node[]; index: number; target: HtmlElement; depth: number }[] = [{ nodes: document.childNodes, index: 0, target: root, depth: 0 }];
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const node = frame.nodes[frame.index++];
    if (node === undefined) {
      stack.pop();
      continue;
    }
    if (node.nodeName === '#text') {
      pushText(frame.target, (node as DefaultTreeAdapterTypes.TextNode).value);
      continue;
    }
    if (!('tagName' in node)) continue; // comments, the doctype
    const copy = element(node.tagName, new Map(node.attrs.map((attr) => [attr.name, attr.value])));
    frame.target.children.push(copy);
    if (frame.depth + 1 > MAX_HTML_DEPTH) {
      if (warnings.length === 0) warnings.push(`html: elements nested deeper than ${MAX_HTML_DEPTH} levels were flattened`);
      // The element stays (empty); what it holds goes to the deepest element kept.
      stack.push({ nodes: node.childNodes, index: 0, target: frame.target, depth: frame.depth });
    } else {
      stack.push({ nodes: node.childNodes, index: 0, target: copy, depth: frame.depth + 1 });
    }
  }
  return { root, warnings };
}
