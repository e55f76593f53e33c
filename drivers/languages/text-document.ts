/** Turns a decoded text document into lines: CRLF and CR become LF, tabs become spaces, U+FFFD "?". */
export function textLines(source: string): string[] {
  const text = source
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, '    ')
    // Control characters other than LF would reach the printer as commands.
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f]/g, '')
    .replace(/\uFFFD/g, '?');
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** Raw printer-language media types: passed through byte for byte. */
export const RAW_TYPES = [
  'application/vnd.star.starprnt',
  'application/vnd.star.line',
  'application/vnd.escpos',
  'application/vnd.zebra.zpl',
  'application/octet-stream',
] as const;

export function isRawType(contentType: string): boolean {
  return (RAW_TYPES as readonly string[]).includes(contentType);
}

export function repeat(parts: readonly Uint8Array[], times: number): Uint8Array[] {
  return Array.from({ length: times }, () => parts).flat();
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  return Buffer.concat(parts.map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength)));
}
