import { describe, expect, it } from 'vitest';
import { buildHtmlTree, MAX_HTML_DEPTH, type HtmlElement, type HtmlNode } from '../../../drivers/render/html-tree.js';

/** The tree as compact nested markup: `p(b("x"))`. */
function show(node: HtmlNode): string {
  if (node.kind === 'text') return JSON.stringify(node.text);
  return `${node.name}(${node.children.map(show).join(',')})`;
}

function child(node: HtmlElement, name: string): HtmlElement {
  const found = node.children.find((c): c is HtmlElement => c.kind === 'element' && c.name === name);
  if (!found) throw new Error(`no <${name}> in ${show(node)}`);
  return found;
}

/** What the document's <body> holds, as browsers build it. */
function body(source: string): string {
  return child(child(buildHtmlTree(source).root, 'html'), 'body').children.map(show).join(',');
}

function text(node: HtmlNode): string {
  return node.kind === 'text' ? node.text : node.children.map(text).join('');
}

describe('buildHtmlTree (parse5: the HTML parsing algorithm)', () => {
  it('builds the whole document, head and body, as browsers do', () => {
    expect(buildHtmlTree('<html><head><title>t</title><p>body text').root.children.map(show)).toEqual(['html(head(title("t")),body(p("body text")))']);
    expect(buildHtmlTree('<head><meta charset=utf-8>Hello').root.children.map(show)).toEqual(['html(head(meta()),body("Hello"))']);
  });

  it('nests elements and keeps void elements empty', () => {
    expect(body('<p>a<br>b<img src=x>c</p><hr>')).toBe('p("a",br(),"b",img(),"c"),hr()');
  });

  it('reopens misnested formatting elements (the adoption agency): <b><i>x</b>y</i>', () => {
    expect(body('<b><i>x</b>y</i>')).toBe('b(i("x")),i("y")');
    expect(body('<b>1<u>2</b>3</u>')).toBe('b("1",u("2")),u("3")');
    expect(body('<b>1<p>2</b>3</p>')).toBe('b("1"),p(b("2"),"3")');
    expect(body('<a href=x>1<a href=y>2</a>')).toBe('a("1"),a("2")');
  });

  it('closes a heading at the next heading and at the end tag of any heading: <h1>A<h2>B</h1>C', () => {
    expect(body('<h1>A<h2>B</h1>C')).toBe('h1("A"),h2("B"),"C"');
    expect(body('<h1>a<h2>b</h2>')).toBe('h1("a"),h2("b")');
  });

  it('moves stray text and formatting out of a table, before it (foster parenting)', () => {
    expect(body('<table>x<tr><td>a</td></tr></table>')).toBe('"x",table(tbody(tr(td("a"))))');
    expect(body('<table><tr><td>x</td></tr>stray</table>')).toBe('"stray",table(tbody(tr(td("x"))))');
    expect(body('<table><b>bold</b><tr><td>c</td></tr></table>')).toBe('b("bold"),table(tbody(tr(td("c"))))');
    expect(body('<td>x</td>y')).toBe('"xy"');
  });

  it('closes <p> at the next block, <li>/<tr>/<td> at the next of their kind; a table closes <p> only with a doctype', () => {
    expect(body('<p>a<div>b</div>c</p>')).toBe('p("a"),div("b"),"c",p()');
    expect(body('<ul><li>a<li>b</ul>')).toBe('ul(li("a"),li("b"))');
    expect(body('<table><tr><td>a<td>b<tr><td>c</table>')).toBe('table(tbody(tr(td("a"),td("b")),tr(td("c"))))');
    expect(body('<p>cell<table><tr><td>x</td></tr></table>')).toBe('p("cell",table(tbody(tr(td("x")))))');
    expect(body('<!DOCTYPE html><p>cell<table><tr><td>x</td></tr></table>')).toBe('p("cell"),table(tbody(tr(td("x"))))');
  });

  it('treats </p> alone as an empty paragraph and </br> as <br>; <div/> opens a div', () => {
    expect(body('a</p>b</br>c')).toBe('"a",p(),"b",br(),"c"');
    expect(body('<div/>a')).toBe('div("a")');
  });

  it('drops the first newline of <pre>, comments and doctypes', () => {
    expect(body('<pre>\n\nx</pre>')).toBe('pre("\\nx")');
    expect(body('<!DOCTYPE html>a<!-- b <p> -->c<!-- never closed <b>x</b>')).toBe('"ac"');
  });

  it('decodes every named character reference of HTML, legacy names without ";", numeric ones', () => {
    expect(body('a &copy2026 &notit; &notin; &NotEqualTilde; &amp b &#128; &#x1F600; &bogus; AT&T')).toBe(JSON.stringify('a ©2026 ¬it; ∉ ≂̸ & b € 😀 &bogus; AT&T'));
    expect(body('&nbsp;&euro;&eacute;&frac12;&ndash;&hellip;&check;&Zcaron;&boxVH;')).toBe(JSON.stringify('\u00a0€é½–…✓Ž╬'));
    const [img] = child(child(buildHtmlTree('<img alt="Fish &amp; Chips" src="?a=1&copy=2">').root, 'html'), 'body').children as HtmlElement[];
    expect(Object.fromEntries(img!.attrs)).toEqual({ alt: 'Fish & Chips', src: '?a=1&copy=2' });
  });

  it('keeps script and style content out of the text, whatever it holds', () => {
    expect(body('x<script>if (a < b) document.write("</p>")</script>y<style>p{}</STYLE >z')).toBe('"x",script("if (a < b) document.write(\\"</p>\\")"),"y",style("p{}"),"z"');
  });

  it('survives a megabyte attribute and a million stray < and & characters', () => {
    expect(text(buildHtmlTree(`<p title="${'x'.repeat(1_000_000)}">ok`).root)).toBe('ok');
    expect(text(buildHtmlTree('<&'.repeat(500_000)).root)).toHaveLength(1_000_000);
  });

  it('flattens nesting deeper than the limit, keeping every piece of text, with one warning', () => {
    const depth = 100_000;
    const { root, warnings } = buildHtmlTree(`${'<div>'.repeat(depth)}deep${'</div>'.repeat(depth)}after`);
    expect(warnings).toEqual([`html: elements nested deeper than ${MAX_HTML_DEPTH} levels were flattened`]);
    let node: HtmlNode = root;
    let levels = 0;
    while (node.kind === 'element' && node.children.some((c) => c.kind === 'element' && c.children.length > 0)) {
      node = node.children.find((c) => c.kind === 'element' && c.children.length > 0)!;
      levels += 1;
    }
    expect(levels).toBeLessThanOrEqual(MAX_HTML_DEPTH);
    expect(text(root)).toBe('deepafter');
  });
});
