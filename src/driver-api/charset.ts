import iconv from 'iconv-lite';

/**
 * Character sets a text document (`text/plain`, `text/vnd.star.markup`, `text/html`) may be sent
 * in, by their canonical (IANA, lower-case) names. Anything else is refused with 415 naming these.
 */
export const SUPPORTED_CHARSETS = [
  'utf-8',
  'utf-16le',
  'utf-16be',
  'us-ascii',
  'iso-8859-1',
  'iso-8859-2',
  'iso-8859-5',
  'iso-8859-7',
  'iso-8859-9',
  'iso-8859-15',
  'windows-1250',
  'windows-1251',
  'windows-1252',
  'windows-1253',
  'windows-1254',
  'windows-1257',
  'koi8-r',
  'ibm437',
  'ibm850',
  'ibm852',
  'ibm866',
  'shift_jis',
  'euc-jp',
  'gb18030',
  'big5',
  'euc-kr',
] as const;

/** Other names (IANA aliases, the spellings WHATWG and common tools use) → canonical name. */
const ALIASES: Readonly<Record<string, (typeof SUPPORTED_CHARSETS)[number]>> = {
  utf8: 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  'utf-16': 'utf-16le',
  utf16le: 'utf-16le',
  utf16be: 'utf-16be',
  ascii: 'us-ascii',
  'iso-646-us': 'us-ascii',
  'ansi_x3.4-1968': 'us-ascii',
  latin1: 'iso-8859-1',
  l1: 'iso-8859-1',
  'iso8859-1': 'iso-8859-1',
  iso88591: 'iso-8859-1',
  'iso_8859-1': 'iso-8859-1',
  'iso_8859-1:1987': 'iso-8859-1',
  'iso-ir-100': 'iso-8859-1',
  cp819: 'iso-8859-1',
  ibm819: 'iso-8859-1',
  latin2: 'iso-8859-2',
  'iso8859-2': 'iso-8859-2',
  'iso_8859-2': 'iso-8859-2',
  cyrillic: 'iso-8859-5',
  'iso8859-5': 'iso-8859-5',
  greek: 'iso-8859-7',
  'iso8859-7': 'iso-8859-7',
  latin5: 'iso-8859-9',
  'iso8859-9': 'iso-8859-9',
  latin9: 'iso-8859-15',
  'latin-9': 'iso-8859-15',
  'iso8859-15': 'iso-8859-15',
  iso885915: 'iso-8859-15',
  'iso_8859-15': 'iso-8859-15',
  cp1250: 'windows-1250',
  'x-cp1250': 'windows-1250',
  cp1251: 'windows-1251',
  'x-cp1251': 'windows-1251',
  cp1252: 'windows-1252',
  'x-cp1252': 'windows-1252',
  cp1253: 'windows-1253',
  cp1254: 'windows-1254',
  cp1257: 'windows-1257',
  koi8: 'koi8-r',
  cp437: 'ibm437',
  '437': 'ibm437',
  cp850: 'ibm850',
  '850': 'ibm850',
  cp852: 'ibm852',
  cp866: 'ibm866',
  '866': 'ibm866',
  'shift-jis': 'shift_jis',
  sjis: 'shift_jis',
  ms_kanji: 'shift_jis',
  csshiftjis: 'shift_jis',
  'windows-31j': 'shift_jis',
  'x-sjis': 'shift_jis',
  cp932: 'shift_jis',
  eucjp: 'euc-jp',
  'x-euc-jp': 'euc-jp',
  gbk: 'gb18030',
  gb2312: 'gb18030',
  cp936: 'gb18030',
  'big5-hkscs': 'big5',
  'cn-big5': 'big5',
  euckr: 'euc-kr',
  cp949: 'euc-kr',
};

/**
 * How a canonical name is decoded. ISO-8859-1 and US-ASCII are read as Windows-1252, as every
 * browser does (WHATWG Encoding): their bytes 0x80–0x9F are control codes that never print, and
 * documents labelled Latin-1 often hold Windows-1252's € and quotes there.
 */
const DECODER: Partial<Record<(typeof SUPPORTED_CHARSETS)[number], string>> = {
  'iso-8859-1': 'windows-1252',
  'us-ascii': 'windows-1252',
};

/** The canonical name of a charset label (case, quotes and spaces ignored), or null when it is not supported. */
export function canonicalCharset(name: string): string | null {
  const label = name.trim().replace(/^["']|["']$/g, '').trim().toLowerCase();
  if ((SUPPORTED_CHARSETS as readonly string[]).includes(label)) return label;
  return ALIASES[label] ?? null;
}

/**
 * A text document as a string. A byte-order mark wins over the charset (as in browsers) and is
 * dropped; without either the text is UTF-8. Bytes the charset cannot read become U+FFFD.
 * Throws TypeError for an unsupported charset (check with canonicalCharset first).
 */
export function decodeText(bytes: Uint8Array, charset = 'utf-8'): string {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf) return buffer.toString('utf8', 3);
  if (buffer[0] === 0xff && buffer[1] === 0xfe) return iconv.decode(buffer.subarray(2), 'utf-16le');
  if (buffer[0] === 0xfe && buffer[1] === 0xff) return iconv.decode(buffer.subarray(2), 'utf-16be');
  const canonical = canonicalCharset(charset);
  if (canonical === null) throw new TypeError(`unsupported charset "${charset.slice(0, 40)}"`);
  if (canonical === 'utf-8') return new TextDecoder('utf-8').decode(buffer);
  return iconv.decode(buffer, DECODER[canonical as keyof typeof DECODER] ?? canonical, { stripBOM: false });
}
