import { describe, expect, it } from 'vitest';
import { tokenizeHtml, type HtmlToken } from '../../../drivers/render/html-tokenizer.js';

/** Tokens in a compact, comparable form. */
function show(tokens: HtmlToken[]): string[] {
  return tokens.map((token) => {
    if (token.kind === 'text') return `"${token.text}"`;
    if (token.kind === 'end') return `</${token.name}>`;
    const attrs = [...token.attrs].map(([name, value]) => ` ${name}=${JSON.stringify(value)}`).join('');
    return `<${token.name}${attrs}${token.selfClosing ? '/' : ''}>`;
  });
}

describe('tokenizeHtml', () => {
  it('splits text, start and end tags; tag and attribute names lower-cased, values kept', () => {
    expect(show(tokenizeHtml('<P Class="Big">Hi <B>there</B></P>'))).toEqual(['<p class="Big">', '"Hi "', '<b>', '"there"', '</b>', '</p>']);
  });

  it('reads double-quoted, single-quoted, unquoted and empty attributes, with entities decoded', () => {
    const [tag] = tokenizeHtml(`<td a="1 2" b='x"y' c=plain d e = "spaced" f="&amp;&euro;">`);
    expect(show([tag!])).toEqual([`<td a="1 2" b="x\\"y" c="plain" d="" e="spaced" f="&€">`]);
  });

  it('keeps the first of a repeated attribute', () => {
    const [tag] = tokenizeHtml('<p align=right align=left>');
    expect(tag).toMatchObject({ attrs: new Map([['align', 'right']]) });
  });

  it('marks self-closing tags and reads attributes glued to the slash', () => {
    expect(show(tokenizeHtml('<br/><hr /><img src=a.png/>'))).toEqual(['<br/>', '<hr/>', '<img src="a.png/">']);
  });

  it('decodes entities in text', () => {
    expect(show(tokenizeHtml('Fish &amp; Chips &euro;5&#46;00'))).toEqual(['"Fish & Chips €5.00"']);
  });

  it('drops comments, doctypes, CDATA and processing instructions', () => {
    expect(show(tokenizeHtml('<!DOCTYPE html><?xml version="1.0"?>a<!-- b <p> -->c<!---->d<!-->e<!--->f<![CDATA[x]]>g'))).toEqual(['"a"', '"c"', '"d"', '"e"', '"f"', '"g"']);
  });

  it('drops an unterminated comment to the end of input', () => {
    expect(show(tokenizeHtml('kept<!-- never closed <b>bold</b>'))).toEqual(['"kept"']);
  });

  it('keeps a stray < as text: a < b, <3, < p, and a lone < at the end', () => {
    expect(show(tokenizeHtml('a < b <3 x<=y < p <'))).toEqual(['"a < b <3 x<=y < p <"']);
  });

  it('drops a tag cut off by the end of input, as browsers do', () => {
    expect(show(tokenizeHtml('text <b class="x'))).toEqual(['"text "']);
    expect(show(tokenizeHtml('text <b'))).toEqual(['"text "']);
    expect(show(tokenizeHtml('text </b'))).toEqual(['"text "']);
  });

  it('ignores </> and turns </3 …> into nothing', () => {
    expect(show(tokenizeHtml('a</>b</3 junk>c'))).toEqual(['"a"', '"b"', '"c"']);
  });

  it('reads script and style content as raw text up to their end tag, whatever it holds', () => {
    expect(show(tokenizeHtml('<script>if (a < b && c) document.write("</p>")</script>x<style>p{}</STYLE >y'))).toEqual([
      '<script>', '"if (a < b && c) document.write("</p>")"', '</script>', '"x"', '<style>', '"p{}"', '</style>', '"y"',
    ]);
    expect(show(tokenizeHtml('<script>never closed <b>'))).toEqual(['<script>', '"never closed <b>"']);
    expect(show(tokenizeHtml('<script>a</scripty>b</script>'))).toEqual(['<script>', '"a</scripty>b"', '</script>']);
  });

  it('normalises CRLF and CR to LF and drops a byte-order mark', () => {
    expect(show(tokenizeHtml('\uFEFFa\r\nb\rc'))).toEqual(['"a\nb\nc"']);
  });

  it('tokenizes a megabyte attribute, quoted or not, without throwing', () => {
    const big = 'x'.repeat(1_000_000);
    const [quoted] = tokenizeHtml(`<p title="${big}">`);
    expect((quoted as { attrs: Map<string, string> }).attrs.get('title')).toHaveLength(1_000_000);
    const [bare] = tokenizeHtml(`<p title=${big}>`);
    expect((bare as { attrs: Map<string, string> }).attrs.get('title')).toHaveLength(1_000_000);
    expect(tokenizeHtml(`<p title="${big}`)).toEqual([]);
  });

  it('survives a million stray < and & characters', () => {
    const tokens = tokenizeHtml('<&'.repeat(500_000));
    expect(tokens).toHaveLength(1);
    expect((tokens[0] as { text: string }).text).toHaveLength(1_000_000);
  });
});
