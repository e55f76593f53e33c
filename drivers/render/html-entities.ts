/** HTML 4's Latin-1 entity names, U+00A0 to U+00FF in order. */
const LATIN1_NAMES = [
  'nbsp', 'iexcl', 'cent', 'pound', 'curren', 'yen', 'brvbar', 'sect', 'uml', 'copy', 'ordf', 'laquo', 'not', 'shy', 'reg', 'macr',
  'deg', 'plusmn', 'sup2', 'sup3', 'acute', 'micro', 'para', 'middot', 'cedil', 'sup1', 'ordm', 'raquo', 'frac14', 'frac12', 'frac34', 'iquest',
  'Agrave', 'Aacute', 'Acirc', 'Atilde', 'Auml', 'Aring', 'AElig', 'Ccedil', 'Egrave', 'Eacute', 'Ecirc', 'Euml', 'Igrave', 'Iacute', 'Icirc', 'Iuml',
  'ETH', 'Ntilde', 'Ograve', 'Oacute', 'Ocirc', 'Otilde', 'Ouml', 'times', 'Oslash', 'Ugrave', 'Uacute', 'Ucirc', 'Uuml', 'Yacute', 'THORN', 'szlig',
  'agrave', 'aacute', 'acirc', 'atilde', 'auml', 'aring', 'aelig', 'ccedil', 'egrave', 'eacute', 'ecirc', 'euml', 'igrave', 'iacute', 'icirc', 'iuml',
  'eth', 'ntilde', 'ograve', 'oacute', 'ocirc', 'otilde', 'ouml', 'divide', 'oslash', 'ugrave', 'uacute', 'ucirc', 'uuml', 'yacute', 'thorn', 'yuml',
] as const;

/** Other names receipts use: punctuation, currency, arrows, a few maths signs. */
const OTHER_NAMES: Record<string, string> = {
  quot: '"', amp: '&', lt: '<', gt: '>', apos: "'",
  OElig: 'Œ', oelig: 'œ', Scaron: 'Š', scaron: 'š', Yuml: 'Ÿ', fnof: 'ƒ', circ: 'ˆ', tilde: '˜',
  ensp: '\u2002', emsp: '\u2003', thinsp: '\u2009', zwnj: '\u200c', zwj: '\u200d', lrm: '\u200e', rlm: '\u200f',
  ndash: '–', mdash: '—', lsquo: '‘', rsquo: '’', sbquo: '‚', ldquo: '“', rdquo: '”', bdquo: '„',
  dagger: '†', Dagger: '‡', bull: '•', hellip: '…', permil: '‰', prime: '′', Prime: '″', lsaquo: '‹', rsaquo: '›',
  euro: '€', trade: '™', larr: '←', uarr: '↑', rarr: '→', darr: '↓', harr: '↔',
  minus: '−', le: '≤', ge: '≥', ne: '≠', asymp: '≈', infin: '∞', check: '✓',
};

const NAMED = new Map<string, string>([
  ...LATIN1_NAMES.map((name, index): [string, string] => [name, String.fromCharCode(0xa0 + index)]),
  ...Object.entries(OTHER_NAMES),
]);

/** Names browsers still accept without the `;` (in text, also as the start of a longer word: `&copy2026`). */
const LEGACY = new Set<string>([...LATIN1_NAMES, 'quot', 'amp', 'lt', 'gt']);
const LONGEST_LEGACY = Math.max(...[...LEGACY].map((name) => name.length));

/** What `&#128;`…`&#159;` mean in HTML: the Windows-1252 characters at those bytes. */
const WINDOWS_1252_C1: Record<number, number> = {
  0x80: 0x20ac, 0x82: 0x201a, 0x83: 0x0192, 0x84: 0x201e, 0x85: 0x2026, 0x86: 0x2020, 0x87: 0x2021, 0x88: 0x02c6,
  0x89: 0x2030, 0x8a: 0x0160, 0x8b: 0x2039, 0x8c: 0x0152, 0x8e: 0x017d, 0x91: 0x2018, 0x92: 0x2019, 0x93: 0x201c,
  0x94: 0x201d, 0x95: 0x2022, 0x96: 0x2013, 0x97: 0x2014, 0x98: 0x02dc, 0x99: 0x2122, 0x9a: 0x0161, 0x9b: 0x203a,
  0x9c: 0x0153, 0x9e: 0x017e, 0x9f: 0x0178,
};

const ENTITY = /&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*)(;?)/g;

/** The character a numeric reference stands for, as browsers read it (invalid ones are U+FFFD). */
function numeric(code: number): string {
  if (!Number.isFinite(code) || code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return '\uFFFD';
  return String.fromCodePoint(WINDOWS_1252_C1[code] ?? code);
}

/**
 * Decodes character references as browsers do: `&#8364;`, `&#x20AC;` (the `;` optional), the
 * named ones above (`&euro;`), and the legacy names without `;`. Anything else stays as written.
 * In attribute values (`inAttribute`) a legacy name without `;` followed by more letters or `=` is left alone.
 */
export function decodeEntities(text: string, inAttribute = false): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole: string, body: string, semicolon: string, offset: number) => {
    if (body.startsWith('#')) {
      const hex = body[1] === 'x' || body[1] === 'X';
      return numeric(Number.parseInt(body.slice(hex ? 2 : 1), hex ? 16 : 10));
    }
    const named = NAMED.get(body);
    if (named !== undefined && semicolon === ';') return named;
    // In attributes, `?a=1&copy=2` stays as written (a query string, not ©).
    if (inAttribute) return named !== undefined && LEGACY.has(body) && text[offset + whole.length] !== '=' ? named : whole;
    if (named !== undefined && LEGACY.has(body)) return named;
    for (let length = Math.min(body.length - 1, LONGEST_LEGACY); length >= 2; length--) {
      const prefix = body.slice(0, length);
      if (LEGACY.has(prefix)) return NAMED.get(prefix)! + body.slice(length) + semicolon;
    }
    return whole;
  });
}
