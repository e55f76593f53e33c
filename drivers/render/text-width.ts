/** Columns a character takes: 2 for East Asian wide and full-width characters, 1 otherwise. */
export function charWidth(char: string): number {
  const code = char.codePointAt(0) ?? 0;
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x20000 && code <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/** The longest prefix of `text` that fits in `columns`. */
export function clip(text: string, columns: number): string {
  let width = 0;
  let out = '';
  for (const char of text) {
    const w = charWidth(char);
    if (width + w > columns) break;
    width += w;
    out += char;
  }
  return out;
}

/**
 * One line with `left` flush left and `right` flush right in `columns` characters. When both do
 * not fit, the left text is cut short (the amount on the right is what must stay readable).
 */
export function columnLine(left: string, right: string, columns: number): string {
  const parts = columnParts(left, right, columns);
  const gap = columns - textWidth(parts.left) - textWidth(parts.right);
  return parts.left + ' '.repeat(Math.max(0, gap)) + parts.right;
}

/** The two sides of a column line as they fit in `columns`: the right kept, the left cut short. */
export function columnParts(left: string, right: string, columns: number): { left: string; right: string } {
  const rightText = clip(right, columns);
  const room = columns - textWidth(rightText) - (left === '' ? 0 : 1);
  return { left: clip(left, Math.max(0, room)), right: rightText };
}
