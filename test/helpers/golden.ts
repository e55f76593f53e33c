import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const GOLDEN_DIR = path.resolve(import.meta.dirname, '../fixtures/golden');

function hexLines(bytes: Uint8Array, from: number, to: number): string[] {
  const lines: string[] = [];
  for (let offset = from - (from % 16); offset < Math.min(to, bytes.length); offset += 16) {
    const row = [...bytes.subarray(offset, offset + 16)];
    const hex = row.map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = row.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(6, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  return lines;
}

/** A readable hex diff: the first differing offset and the rows around it, expected then actual. */
export function hexDiff(expected: Uint8Array, actual: Uint8Array): string {
  let first = 0;
  while (first < expected.length && first < actual.length && expected[first] === actual[first]) first++;
  const from = Math.max(0, first - 32);
  const to = first + 48;
  return [
    `lengths: expected ${expected.length}, actual ${actual.length}; first difference at offset ${first} (0x${first.toString(16)})`,
    'expected:',
    ...hexLines(expected, from, to),
    'actual:',
    ...hexLines(actual, from, to),
  ].join('\n');
}

/**
 * Compares printer bytes with test/fixtures/golden/<language>/<name>.bin. A mismatch fails with a
 * hex diff; a missing file fails too. Run with UPDATE_GOLDEN=1 to (re)write the files on purpose,
 * then review them (`xxd`) before committing.
 */
export function expectGolden(language: string, name: string, actual: Uint8Array): void {
  const file = path.join(GOLDEN_DIR, language, `${name}.bin`);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) {
    throw new Error(`golden file ${path.relative(process.cwd(), file)} is missing; create it with UPDATE_GOLDEN=1 and review it`);
  }
  const expected = new Uint8Array(readFileSync(file));
  if (Buffer.compare(Buffer.from(expected), Buffer.from(actual)) !== 0) {
    throw new Error(`bytes differ from golden ${path.relative(process.cwd(), file)}\n${hexDiff(expected, actual)}`);
  }
}
