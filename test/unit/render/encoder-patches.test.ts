import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import CodepageEncoder from '@point-of-sale/codepage-encoder';
import { describe, expect, it, vi } from 'vitest';

const require = createRequire(import.meta.url);
const HINT = 'the patches in patches/ are not applied: run `npx patch-package` (npm install and npm ci run it as postinstall)';

/**
 * printgate patches the receipt encoder and its code-page encoder (patches/*.patch, applied by
 * patch-package on install). These tests fail, naming the fix, when an install skipped them.
 */
describe('encoder patches', () => {
  it('the code-page encoder looks characters up in a map built once per code page, not a copy per character', () => {
    const candidates = ['cp437', 'cp858', 'cp866'] as const;
    CodepageEncoder.autoEncode('warm up: é € П', [...candidates]);
    const clone = vi.spyOn(globalThis, 'structuredClone');
    const fragments = CodepageEncoder.autoEncode('Grüße aus Köln, 5 € — Привет '.repeat(40), [...candidates]);
    expect(fragments.map((fragment) => fragment.codepage)).toContain('cp866');
    // Unpatched, getEncoding() deep-copies a whole code page for every character and candidate.
    expect(clone.mock.calls.length, HINT).toBe(0);
  });

  it('the code-page encoder still encodes as before: first matching page per character, "?" where none holds it', () => {
    const fragments = CodepageEncoder.autoEncode('aé€☃', ['cp437', 'cp858']);
    expect(fragments.map((fragment) => [fragment.codepage, Buffer.from(fragment.bytes).toString('hex')])).toEqual([
      ['cp437', '6182'],
      ['cp858', 'd53f'],
    ]);
    expect(Buffer.from(CodepageEncoder.encode('Küche', 'cp437')).toString('hex')).toBe('4b81636865');
  });

  it('the receipt encoder reads its line queue in order instead of shifting it (shift made long documents quadratic)', () => {
    const source = readFileSync(require.resolve('@point-of-sale/receipt-printer-encoder').replace(/\.cjs$/, '.mjs'), 'utf8');
    expect(source.includes('this.#queue.shift()'), HINT).toBe(false);
  });
});
