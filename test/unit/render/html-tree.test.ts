import { describe, expect, it } from 'vitest';
import { buildHtmlTree, MAX_HTML_DEPTH, type HtmlNode } from '../../../drivers/render/html-tree.js';

/** The tree as compact nested markup: `p(b("x"))`. */
function show(node: HtmlNode): string {
  if (node.kind === 'text') return JSON.stringify(node.text);
  return `${node.name}(${node.children.map(show).join(',')})`;
}

function tree(source: string): string {
  const { root } = buildHtmlTree(source);
  return root.children.map(show).join(',');
}

describe('buildHtmlTree', () => {
  it('nests elements and keeps void elements empty', () => {
    expect(tree('<p>a<br>b<img src=x>c</p><hr>')).toBe('p("a",br(),"b",img(),"c"),hr()');
  });

  it('closes an open <p> at the next block, as browsers do', () => {
    expect(tree('<p>one<p>two<div>three</div><h1>four</h1>')).toBe('p("one"),p("two"),div("three"),h1("four")');
    expect(tree('<p>cell<table><tr><td>x</td></tr></table>')).toBe('p("cell"),table(tr(td("x")))');
  });

  it('closes <li>, <tr>, <td> at the next of their kind', () => {
    expect(tree('<ul><li>a<li>b</ul>')).toBe('ul(li("a"),li("b"))');
    expect(tree('<table><tr><td>a<td>b<tr><td>c</table>')).toBe('table(tr(td("a"),td("b")),tr(td("c")))');
    expect(tree('<ul><li>a<ul><li>b</ul><li>c</ul>')).toBe('ul(li("a",ul(li("b"))),li("c"))');
  });

  it('a heading opened inside a heading closes it', () => {
    expect(tree('<h1>a<h2>b</h2>')).toBe('h1("a"),h2("b")');
  });

  it('closes elements left open at the end, and ignores end tags with nothing open', () => {
    expect(tree('<div><b>bold <u>both')).toBe('div(b("bold ",u("both")))');
    expect(tree('a</b></div>b')).toBe('"ab"');
  });

  it('treats </p> alone as an empty paragraph and </br> as <br>', () => {
    expect(tree('a</p>b</br>c')).toBe('"a",p(),"b",br(),"c"');
  });

  it('an end tag closes the elements opened inside its element (misnested formatting)', () => {
    expect(tree('<b>1<u>2</b>3</u>')).toBe('b("1",u("2")),"3"');
  });

  it('<div/> opens a div as in browsers; a self-closed <script/> holds nothing', () => {
    expect(tree('<div/>a')).toBe('div("a")');
    expect(tree('<script/>a')).toBe('script(),"a"');
  });

  it('drops the newline right after <pre>', () => {
    expect(tree('<pre>\n  x\n</pre>')).toBe('pre("  x\\n")');
  });

  it('closes a <head> left open when body content starts', () => {
    expect(tree('<html><head><title>t</title><p>body text')).toBe('html(head(title("t")),p("body text"))');
    expect(tree('<head><meta charset=utf-8>Hello')).toBe('head(meta()),"Hello"');
  });

  it('flattens nesting deeper than the limit, keeping every piece of text, with one warning', () => {
    const depth = 100_000;
    const { root, warnings } = buildHtmlTree(`${'<div>'.repeat(depth)}deep${'</div>'.repeat(depth)}after`);
    expect(warnings).toEqual([`html: elements nested deeper than ${MAX_HTML_DEPTH} levels were flattened`]);
    let node: HtmlNode = root;
    let levels = 0;
    while (node.kind === 'element' && node.children.some((child) => child.kind === 'element' && child.children.length > 0)) {
      node = node.children.find((child) => child.kind === 'element' && child.children.length > 0)!;
      levels += 1;
    }
    expect(levels).toBeLessThanOrEqual(MAX_HTML_DEPTH);
    const text = (n: HtmlNode): string => (n.kind === 'text' ? n.text : n.children.map(text).join(''));
    expect(text(root)).toBe('deepafter');
  });
});
