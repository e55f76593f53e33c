/** One ZPL command as the printer reads it. */
export interface ZplCommand {
  /** `^FO`, `~JR`, …; the font command is `^A` with the font name first in `params` (`^A0N,28,28` → `0N,28,28`). */
  name: string;
  /** Everything up to the next ^ or ~, line breaks removed (the printer ignores them). */
  params: string;
}

/** Splits ZPL (read as Latin-1, one character per byte) into commands; text before the first command is dropped. */
export function zplCommands(zpl: string): ZplCommand[] {
  const commands: ZplCommand[] = [];
  const starts: number[] = [];
  for (let i = 0; i < zpl.length; i++) if (zpl[i] === '^' || zpl[i] === '~') starts.push(i);
  for (const [index, start] of starts.entries()) {
    const end = starts[index + 1] ?? zpl.length;
    const body = zpl.slice(start + 1, end).replace(/[\r\n]/g, '');
    const prefix = zpl[start]!;
    // ^A<font> is the only command named by one letter (besides ^A@, which names a font file).
    const nameLength = prefix === '^' && body[0]?.toUpperCase() === 'A' && body[1] !== '@' ? 1 : 2;
    commands.push({ name: prefix + body.slice(0, nameLength).toUpperCase(), params: body.slice(nameLength) });
  }
  return commands;
}
