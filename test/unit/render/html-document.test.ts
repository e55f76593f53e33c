import { describe, expect, it } from 'vitest';
import { htmlDocument } from '../../../drivers/render/html-document.js';
import { markupDocument } from '../../../drivers/render/markup-document.js';
import { findProfile } from '../../../drivers/profiles/find-profile.js';
import type { ReceiptOp } from '../../../drivers/render/receipt-ops.js';
import { makeJpeg, makePng } from './document-fixtures.js';

const profile = findProfile('generic-80mm')!;
const layout = { columns: 48, fontBColumns: 64 };

/** Ops in a compact form: text as itself, a newline as ⏎, other ops as op:value. */
function show(ops: readonly ReceiptOp[]): string[] {
  return ops.map((op) => {
    switch (op.op) {
      case 'text': return op.text;
      case 'newline': return '⏎';
      case 'align': return `align:${op.value}`;
      case 'style': return Object.entries(op).filter(([key]) => key !== 'op').map(([key, value]) => `${key}:${value ? 'on' : 'off'}`).join(',');
      case 'magnify': return `mag:${op.width}x${op.height}`;
      case 'font': return `font:${op.value}`;
      case 'image': return `image:${op.bitmap.width}x${op.bitmap.height}`;
      default: return op.op;
    }
  });
}

function render(html: string): { ops: string[]; warnings: string[] } {
  const document = htmlDocument(html, profile, layout);
  return { ops: show(document.ops), warnings: document.warnings };
}

describe('htmlDocument: whitespace', () => {
  it('collapses runs of whitespace to one space and drops it at line edges, as browsers do', () => {
    expect(render('  Hello \n\t  World   ').ops).toEqual(['Hello World', '⏎']);
    expect(render('<div>\n  a  </div>\n\n<div>  b\n</div>').ops).toEqual(['a', '⏎', 'b', '⏎']);
  });

  it('keeps a space between inline elements once, and &nbsp; never collapses', () => {
    // The first space of a collapsed run is the one printed (here the one inside <b>).
    expect(render('a <b> b </b> c').ops).toEqual(['a ', 'bold:on', 'b ', 'bold:off', 'c', '⏎']);
    expect(render('a&nbsp;&nbsp;&nbsp;b').ops).toEqual(['a   b', '⏎']);
    expect(render('x<span></span>y <span> </span> z').ops).toEqual(['xy z', '⏎']);
  });

  it('an underlined space is one that sits inside the <u>', () => {
    expect(render('a <u>b</u> c').ops).toEqual(['a ', 'underline:on', 'b', 'underline:off', ' c', '⏎']);
    expect(render('a<u> b</u>.').ops).toEqual(['a', 'underline:on', ' b', 'underline:off', '.', '⏎']);
  });

  it('keeps <pre> verbatim: spaces, blank lines, tabs as four spaces', () => {
    expect(render('<pre>\n  a   b\n\n\tc</pre>').ops).toEqual(['  a   b', '⏎', '⏎', '    c', '⏎']);
  });

  it('drops control characters that would reach the printer as commands', () => {
    expect(render('a\u001b@b\u0007c&#27;d').ops).toEqual(['a@bcd', '⏎']);
  });
});

describe('htmlDocument: blocks and line breaks', () => {
  it('<br> ends a line; two make an empty line; a trailing one adds nothing after the block', () => {
    expect(render('a<br>b<br><br>c<br>').ops).toEqual(['a', '⏎', 'b', '⏎', '⏎', 'c', '⏎']);
  });

  it('paragraphs are separated by one blank line; margins collapse and none is at the top', () => {
    expect(render('<p>one</p><p>two</p><p></p><p>three</p>').ops).toEqual(['one', '⏎', '⏎', 'two', '⏎', '⏎', 'three', '⏎']);
    expect(render('<div>a</div><div>b</div>').ops).toEqual(['a', '⏎', 'b', '⏎']);
  });

  it('aligns blocks by style="text-align" or align=, <center>, inherited by children', () => {
    expect(render('<p style="color: red; text-align : center">c</p><div align=right>r<p>still r</p></div><center>m</center>left').ops).toEqual([
      'align:center', 'c', '⏎', '⏎', 'align:right', 'r', '⏎', '⏎', 'still r', '⏎', '⏎', 'align:center', 'm', '⏎', 'align:left', 'left', '⏎',
    ]);
  });

  it('headings: h1 magnified 2×2, h2 double height (1 wide × 2 high: a full line on 58 mm), h3 1×1, all bold, then back to normal', () => {
    expect(render('<h1>A</h1><h2>B</h2><h3>C</h3>x').ops).toEqual([
      'bold:on', 'mag:2x2', 'A', '⏎', '⏎', 'mag:1x2', 'B', '⏎', '⏎', 'mag:1x1', 'C', '⏎', '⏎', 'bold:off', 'x', '⏎',
    ]);
  });

  it('a centred bold heading: the same ops markup makes', () => {
    const html = htmlDocument('<h1 style="text-align:center">CAFE</h1>', profile, layout).ops;
    const markup = markupDocument('[align: centre][bold][magnify: width 2; height 2]CAFE\n', profile, layout).ops;
    expect(html).toEqual(markup);
  });

  it('<hr> is a rule of "-" across the line, at half the characters when magnified, in font B columns when small', () => {
    expect(render('<hr>').ops).toEqual(['-'.repeat(48), '⏎']);
    expect(render('<h1>T<hr></h1>').ops).toEqual(['bold:on', 'mag:2x2', 'T', '⏎', '-'.repeat(24), '⏎']);
    expect(render('<small><hr></small>').ops).toEqual(['font:B', '-'.repeat(64), '⏎']);
  });
});

describe('htmlDocument: inline styles', () => {
  it('<b>/<strong> bold, <u> underline, nested and overlapping', () => {
    expect(render('<b>a<strong>b</strong></b><u>c<b>d</b></u>e').ops).toEqual(['bold:on', 'ab', 'bold:off', 'underline:on', 'c', 'bold:on', 'd', 'bold:off', 'underline:off', 'e', '⏎']);
  });

  it('<i>/<em> print plain with one warning for the document', () => {
    const { ops, warnings } = render('<i>a</i> <em>b</em> <i>c</i>');
    expect(ops).toEqual(['a b c', '⏎']);
    expect(warnings).toEqual(['html: <i> and <em> printed plain: receipt printers have no italics']);
  });

  it('<small> is font B', () => {
    expect(render('<small>fine print</small><br>normal').ops).toEqual(['font:B', 'fine print', '⏎', 'font:A', 'normal', '⏎']);
  });

  it('unknown tags keep their content and are listed once each in the warnings; script and style vanish', () => {
    const { ops, warnings } = render('<blink>a</blink><marquee>b</marquee><blink>c</blink><script>alert(1)</script><style>p{}</style><span>d</span>');
    expect(ops).toEqual(['abcd', '⏎']);
    expect(warnings).toEqual(['html: <blink> is not supported; its content was printed', 'html: <marquee> is not supported; its content was printed']);
  });

  it('keeps the warnings short: long tag names cut, at most 30 distinct warnings and a note', () => {
    const { warnings } = render(`<${'x'.repeat(5000)}>a${Array.from({ length: 100 }, (_, i) => `<tag${i}>`).join('')}`);
    expect(warnings[0]).toBe(`html: <${'x'.repeat(40)}> is not supported; its content was printed`);
    expect(warnings).toHaveLength(31);
    expect(warnings[30]).toBe('html: more warnings left out');
  });

  it('prints nothing of <head> and <title>', () => {
    expect(render('<!DOCTYPE html><html><head><title>T</title><meta charset="utf-8"></head><body>B</body></html>')).toEqual({ ops: ['B', '⏎'], warnings: [] });
  });
});

describe('htmlDocument: tables', () => {
  it('a row of 2 cells is a column line: first cell flush left, last flush right, at the width', () => {
    const { ops } = render('<table><tr><td>Coffee</td><td>3.50</td></tr></table>');
    expect(ops).toEqual([`Coffee${' '.repeat(48 - 6 - 4)}3.50`, '⏎']);
  });

  it('matches markup\'s column line exactly', () => {
    const html = htmlDocument('<table><tr><td> Coffee </td><td>3.50</td></tr></table>', profile, layout).ops;
    expect(html).toEqual(markupDocument('[column: left Coffee; right 3.50]', profile, layout).ops);
  });

  it('a row of 3 cells: the first two on the left, the last on the right; rows of header cells are bold', () => {
    const { ops } = render('<table><thead><tr><th>Qty</th><th>Item</th><th>Sum</th></tr></thead><tbody><tr><td>2</td><td>Tea</td><td>4.00</td></tr></tbody></table>');
    expect(ops).toEqual(['bold:on', `Qty Item${' '.repeat(48 - 8 - 3)}Sum`, '⏎', 'bold:off', `2 Tea${' '.repeat(48 - 5 - 4)}4.00`, '⏎']);
  });

  it('lays rows out at half width under a 2× heading style and at font B width in <small>', () => {
    expect(render('<small><table><tr><td>a</td><td>b</td></tr></table></small>').ops).toEqual(['font:B', `a${' '.repeat(62)}b`, '⏎']);
  });

  it('cuts the left text short when a row is too long, keeping the amount', () => {
    const { ops } = render(`<table><tr><td>${'x'.repeat(60)}</td><td>12.00</td></tr></table>`);
    expect(ops[0]).toHaveLength(48);
    expect(ops[0]!.endsWith(' 12.00')).toBe(true);
  });

  it('a one-cell row is a line in its own alignment; wider rows join the middle cells, with a warning', () => {
    const { ops, warnings } = render('<table><tr><td align=center>Thanks</td></tr><tr><td>a</td><td>b</td><td>c</td><td>d</td></tr></table>');
    expect(ops).toEqual(['align:center', 'Thanks', '⏎', 'align:left', `a b c${' '.repeat(42)}d`, '⏎']);
    expect(warnings).toEqual(['html: table rows of more than 3 cells print the middle cells joined on the left']);
  });

  it('cell text: inline tags flattened, <br> a space, entities decoded, empty cells skipped', () => {
    const { ops } = render('<table><tr><td><b>Big</b><br>Mac</td><td></td><td>5&nbsp;&euro;</td></tr></table>');
    expect(ops).toEqual([`Big Mac${' '.repeat(48 - 7 - 3)}5 €`, '⏎']);
  });

  it('a cell\'s image prints as its alt text, with a warning', () => {
    const { ops, warnings } = render('<table><tr><td><img src="data:image/png;base64,AAAA" alt="Logo"></td><td>x</td></tr></table>');
    expect(ops).toEqual([`Logo${' '.repeat(43)}x`, '⏎']);
    expect(warnings).toEqual(['html: images in table cells are not printed (their alt text is)']);
  });

  it('prints the caption centred above the rows; text stray in the table goes before it, as the HTML parser puts it', () => {
    expect(render('<table><caption>Bill</caption>oops<tr><td>a</td><td>b</td></tr></table>').ops).toEqual([
      'oops', '⏎', 'align:center', 'Bill', '⏎', 'align:left', `a${' '.repeat(46)}b`, '⏎',
    ]);
  });
});

describe('htmlDocument: malformed HTML prints as the HTML spec parses it', () => {
  it('misnested <b><i>x</b>y</i>: x bold, y plain (the italic reopened after </b>)', () => {
    expect(render('<b><i>x</b>y</i>').ops).toEqual(['bold:on', 'x', 'bold:off', 'y', '⏎']);
    expect(render('<b>1<u>2</b>3</u>').ops).toEqual(['bold:on', '1', 'underline:on', '2', 'bold:off', '3', '⏎']);
  });

  it('<h1>A<h2>B</h1>C: two headings, then C plain', () => {
    expect(render('<h1>A<h2>B</h1>C').ops).toEqual(['bold:on', 'mag:2x2', 'A', '⏎', '⏎', 'mag:1x2', 'B', '⏎', '⏎', 'bold:off', 'mag:1x1', 'C', '⏎']);
  });

  it('stray text and formatting in a table print before the table', () => {
    expect(render('<table>Total:<tr><td>Tea</td><td>2.00</td></tr>thanks</table>').ops).toEqual(['Total:thanks', '⏎', `Tea${' '.repeat(41)}2.00`, '⏎']);
    expect(render('<table><b>Bill</b><tr><td>a</td><td>b</td></tr></table>').ops).toEqual(['bold:on', 'Bill', '⏎', 'bold:off', `a${' '.repeat(46)}b`, '⏎']);
  });

  it('<p> in a table cell and a block in <p>: closed where the parser closes them', () => {
    expect(render('<p>a<div>b</div>c</p>').ops).toEqual(['a', '⏎', '⏎', 'b', '⏎', 'c', '⏎']);
  });
});

describe('htmlDocument: lists', () => {
  it('<ul> items get "- ", <ol> items numbers from start=, value= resets, nested lists indent', () => {
    expect(render('<ul><li>a</li><li>b</li></ul><ol start="3"><li>c<li value=9>d<li>e<ol><li>f</ol></ol>').ops).toEqual([
      '- a', '⏎', '- b', '⏎', '⏎', '3. c', '⏎', '9. d', '⏎', '10. e', '⏎', '  1. f', '⏎',
    ]);
  });

  it('an empty item still prints its marker; a paragraph in an item starts after the marker', () => {
    expect(render('<ul><li></li><li><p>x</p></li></ul>').ops).toEqual(['- ', '⏎', '⏎', '- x', '⏎']);
  });
});

describe('htmlDocument: images', () => {
  const png = makePng(40, 10, (x) => x < 10).toString('base64');

  it('prints a data: PNG at its own width, aligned by its block', () => {
    const { ops, warnings } = render(`<center><img src="data:image/png;base64,${png}"></center>`);
    expect(warnings).toEqual([]);
    expect(ops).toEqual(['align:center', 'image:40x10']);
  });

  it('width= in dots, px, % or mm; never wider than the paper (576 dots)', () => {
    expect(render(`<img src="data:image/png;base64,${png}" width="80">`).ops).toEqual(['image:80x20']);
    expect(render(`<img src="data:image/png;base64,${png}" width="120px">`).ops).toEqual(['image:120x30']);
    expect(render(`<img src="data:image/png;base64,${png}" width="50%">`).ops).toEqual(['image:288x72']);
    expect(render(`<img src="data:image/png;base64,${png}" width="10mm">`).ops).toEqual(['image:80x20']);
    expect(render(`<img src="data:image/png;base64,${png}" width="9000">`).ops).toEqual(['image:576x144']);
  });

  it('prints a data: JPEG', () => {
    expect(render(`<img src="data:image/jpeg;base64,${makeJpeg(16, 8).toString('base64')}">`).ops).toEqual(['image:16x8']);
  });

  it('never fetches: other URLs are skipped with a warning and their alt text printed', () => {
    const { ops, warnings } = render('Logo: <img src="https://example.com/logo.png" alt="ACME"> <img src="/local.png">');
    expect(ops).toEqual(['Logo: ACME', '⏎']);
    expect(warnings).toEqual(['html: <img> skipped: only data: URLs are printed (printgate fetches nothing)']);
  });

  it('skips data: images that are not PNG or JPEG', () => {
    const { ops, warnings } = render('<img src="data:image/svg+xml;base64,PHN2Zz4=">');
    expect(ops).toEqual([]);
    expect(warnings).toEqual(['html: <img> of type image/svg+xml skipped: only PNG and JPEG are printed']);
  });

  it('a broken data: PNG is a document format error, as in markup', () => {
    expect(() => htmlDocument('<img src="data:image/png;base64,AAAA">', profile, layout)).toThrow(expect.objectContaining({ code: 'DOCUMENT_FORMAT_ERROR' }));
  });
});

describe('htmlDocument: malformed HTML never throws', () => {
  const cases: Record<string, string> = {
    'unclosed tags': '<div><p><b><u><table><tr><td>x<ul><li>y<pre>z',
    'stray <': '< < <<< a<b c<',
    'stray &': '& &&; &#; &#x; &#99999999999; &bogus',
    'end tags only': '</div></table></li></td></b>text</html>',
    'huge attribute': `<p title="${'x'.repeat(2_000_000)}">t</p><p class=${'y'.repeat(100_000)}>u`,
    'deeply nested': `${'<b><div><table><tr><td>'.repeat(5_000)}deep`,
    'deep lists': `${'<ul><li>'.repeat(3_000)}item`,
    'tag soup': '<tr><td>a</td></tr><td>b<th>c</table></tr><li>d</ol><caption>e',
    'binary noise': String.fromCharCode(...Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)),
    'attribute soup': '<p = a="b"c=\'d\'e f==g/ h/>x<img src=>y<img>',
    'comment soup': '<!--<!-- -- --!> -->a<!--->b<!-->c<!-',
  };
  for (const [name, html] of Object.entries(cases)) {
    it(name, () => {
      const document = htmlDocument(html, profile, layout);
      expect(Array.isArray(document.ops)).toBe(true);
      for (const op of document.ops) {
        if (op.op === 'text') expect(op.text).not.toMatch(/[\u0000-\u001f\u007f]/);
      }
    });
  }

  it('keeps the text of deeply nested content', () => {
    const { ops } = render(`${'<span>'.repeat(10_000)}deep${'</span>'.repeat(10_000)} end`);
    expect(ops).toEqual(['deep end', '⏎']);
  });
});
