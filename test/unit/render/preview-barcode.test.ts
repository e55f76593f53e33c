import { describe, expect, it } from 'vitest';
import { barcodeBars } from '../../../drivers/render/preview-barcode.js';

/** Bar/space run lengths of a module row. */
function runs(modules: Uint8Array): number[] {
  const out: number[] = [];
  let run = 0;
  modules.forEach((module, i) => {
    run++;
    if (i === modules.length - 1 || modules[i + 1] !== module) {
      out.push(run);
      run = 0;
    }
  });
  return out;
}

describe('barcodes of the preview', () => {
  it('completes EAN/UPC check digits (the published examples) and refuses wrong ones', () => {
    expect(barcodeBars('ean13', '400638133393')!.text).toBe('4006381333931');
    expect(barcodeBars('upca', '03600029145')!.text).toBe('036000291452');
    expect(barcodeBars('ean8', '9638507')!.text).toBe('96385074');
    expect(barcodeBars('ean13', '4006381333932')).toBeUndefined();
    expect(barcodeBars('ean13', '40063813339A')).toBeUndefined();
  });

  it('draws EAN-13 as 95 modules: guards 101 / 01010 / 101, seven modules and two bars per digit', () => {
    const { modules } = barcodeBars('ean13', '4006381333931')!;
    expect(modules).toHaveLength(95);
    expect([...modules.subarray(0, 3)]).toEqual([1, 0, 1]);
    expect([...modules.subarray(45, 50)]).toEqual([0, 1, 0, 1, 0]);
    expect([...modules.subarray(92)]).toEqual([1, 0, 1]);
    for (let digit = 0; digit < 12; digit++) {
      const start = digit < 6 ? 3 + digit * 7 : 50 + (digit - 6) * 7;
      const symbol = modules.subarray(start, start + 7);
      expect(runs(symbol).length === 4 || runs(symbol).length === 3, `digit ${digit}`).toBe(true);
      // Left digits start with a space, right digits with a bar.
      expect(symbol[0]).toBe(digit < 6 ? 0 : 1);
    }
    // UPC-A is EAN-13 with a leading 0; EAN-8 is 67 modules.
    expect(barcodeBars('upca', '036000291452')!.modules).toEqual(barcodeBars('ean13', '0036000291452')!.modules);
    expect(barcodeBars('ean8', '96385074')!.modules).toHaveLength(67);
  });

  it('draws Code 128: start B, the characters, the mod-103 check symbol and the stop, 11 modules each (stop 13)', () => {
    const { modules, text } = barcodeBars('code128', 'ABC-123')!;
    expect(text).toBe('ABC-123');
    expect(modules).toHaveLength(11 * (7 + 2) + 13);
    // Start B is 2-1-1-2-1-4; the stop 2-3-3-1-1-1-2.
    expect(runs(modules.subarray(0, 11))).toEqual([2, 1, 1, 2, 1, 4]);
    expect(runs(modules.subarray(modules.length - 13))).toEqual([2, 3, 3, 1, 1, 1, 2]);
    // Every symbol has three bars and three spaces.
    for (let s = 0; s < 9; s++) expect(runs(modules.subarray(s * 11, s * 11 + 11))).toHaveLength(6);
    // ESC/POS "{C" (the encoder passes data starting with "{" through): digit pairs, half as many symbols.
    const setC = barcodeBars('code128', '{C123456')!;
    expect(setC.text).toBe('123456');
    expect(setC.modules).toHaveLength(11 * (3 + 2) + 13);
    expect(barcodeBars('code128', '{C12345')).toBeUndefined();
    expect(barcodeBars('code128', 'Grüße')).toBeUndefined();
  });

  it('has no bars for symbologies it does not draw', () => {
    expect(barcodeBars('code39', 'ABC')).toBeUndefined();
    expect(barcodeBars('itf', '1234')).toBeUndefined();
  });
});
