import type { Printer } from '../printers/printer-registry.js';

/** A few characters each code page holds beyond ASCII, to see that the page is the right one. */
const SAMPLES: Readonly<Record<string, string>> = {
  cp437: 'Ç ü é â ä à å ç ê ë è ï î Ä É æ ô ö ò û ù ÿ Ö Ü £ ¥ á í ó ú ñ Ñ ° ± ½',
  cp850: 'À Á Â Ã Ê Í Õ Ø ß ð þ ¿ ¡',
  cp858: '€ À Á Â Ã Ê Í Õ Ø ß ¿ ¡',
  cp852: 'ą č ď ę ě ł ń ő ř ś š ť ů ű ź ž',
  cp857: 'ç ğ ı İ ö ş ü Ç Ğ Ö Ş Ü',
  cp860: 'à á â ã ç é ê í ó ô õ ú',
  cp863: 'à â ç è é ê ë î ï ô ù û',
  cp865: 'æ ø å Æ Ø Å',
  cp866: 'Привет, мир! Ёё Щщ',
  cp737: 'Καλημέρα κόσμε',
  cp851: 'Καλημέρα',
  cp869: 'Καλημέρα',
  cp862: 'שלום עולם',
  cp864: 'مرحبا',
  cp1252: '€ „ … † ‡ ‰ Š Œ Ž ™ š œ ž Ÿ',
  katakana: 'ｱｲｳｴｵ ｶｷｸｹｺ ｻｼｽｾｿ',
};

/** `1234567890…` then `....+....1....+....2`: a column count a person can read off the paper. */
export function ruler(columns: number): [string, string] {
  let digits = '';
  let ticks = '';
  for (let column = 1; column <= columns; column += 1) {
    digits += String(column % 10);
    ticks += column % 10 === 0 ? String((column / 10) % 10) : column % 5 === 0 ? '+' : '.';
  }
  return [digits, ticks];
}

/** Star markup special characters in data: `[` and `\` escaped, so names print as they are. */
function text(value: string): string {
  return value.replace(/[\\[\]]/g, (c) => `\\${c}`);
}

export interface TestPageFacts {
  version: string;
  at: Date;
}

/**
 * The test page as Star Document Markup, drawn by the printer's own language: what printer and
 * profile the gateway thinks it is, a ruler as wide as its columns, a line of sample characters
 * per code page it may use, and a QR code. On a label printer (zpl) a label: the same, shorter.
 */
export function testPageMarkup(printer: Printer, facts: TestPageFacts): string {
  const profile = printer.profile;
  const label = printer.language === 'zpl';
  const [digits, ticks] = ruler(profile.columns);
  const dpi = Math.round(profile.dotsPerMM * 25.4);
  const lines = [
    '[align: centre][bold: on][mag: w 2; h 2]printgate[mag][bold: off]',
    label ? 'test label' : 'test page',
    `${text(printer.name)} (${text(printer.id)})`,
    '[align: left]',
    `Profile:  ${text(profile.name ?? profile.id)} (${text(profile.id)})`,
    `Language: ${text(printer.language)}`,
    `Address:  ${text(printer.uri)}`,
    `Paper:    ${profile.paperWidthMM} mm, printable ${profile.printableWidthMM} mm, ${dpi} dpi`,
    `Columns:  ${profile.columns}${profile.fontBColumns ? ` (font B ${profile.fontBColumns})` : ''}`,
    ...(label ? [] : [`Cutter:   ${profile.cutter}; drawer ${profile.drawer ? 'yes' : 'no'}; buzzer ${profile.buzzer ? 'yes' : 'no'}`]),
    `Width ruler, ${profile.columns} columns:`,
    digits,
    ticks,
  ];
  const pages = profile.codepages ?? [];
  if (!label) {
    lines.push(pages.length > 0 ? 'Code pages, with characters each holds:' : 'Characters (the default code page):');
    for (const page of pages.length > 0 ? pages : ['cp437']) {
      const base = page.split('/').at(-1)!.toLowerCase();
      lines.push(`${page}: ${SAMPLES[base] ?? '(no sample)'}`);
    }
  }
  lines.push(
    '[align: centre]',
    `[barcode: type qr; data printgate ${text(printer.id)} ${facts.at.toISOString()}; cell 4]`,
    `printed ${facts.at.toISOString().replace(/\.\d+Z$/, 'Z')} by printgate ${text(facts.version)}`,
  );
  if (!label) lines.push('[cut: partial]');
  return `${lines.join('\n')}\n`;
}

/** The same content without markup, for a printer that takes text but not markup (raw). */
export function testPagePlainText(printer: Printer, facts: TestPageFacts): string {
  return testPageMarkup(printer, facts)
    .split('\n')
    .map((line) => line.replace(/\[[a-z]+(?::[^\]]*)?\]/g, '').replace(/\\([\\[\]])/g, '$1'))
    .filter((line, index, all) => line !== '' || index === all.length - 1)
    .join('\n');
}
