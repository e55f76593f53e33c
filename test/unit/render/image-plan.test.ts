import { describe, expect, it } from 'vitest';
import { planImage } from '../../../drivers/render/image-plan.js';

const receipt = { dpi: 203.2, widthDots: 576 };
const label = { dpi: 203.2, widthDots: 832 };

describe('planImage: how big an image prints (README "Rendering rules")', () => {
  it('prints an image no wider than the paper 1:1', () => {
    expect(planImage({ width: 200, height: 80 }, receipt)).toEqual({ width: 200, height: 80 });
    expect(planImage({ width: 812, height: 1218, dpi: 203 }, label)).toEqual({ width: 812, height: 1218 });
    expect(planImage({ width: 576, height: 10 }, receipt)).toEqual({ width: 576, height: 10 });
  });

  it('ignores screen resolutions (72, 96, 144 dpi) and ones within 2 % of the printer', () => {
    for (const dpi of [72, 96, 144, 200, 203, 206]) expect(planImage({ width: 200, height: 80, dpi }, receipt)).toEqual({ width: 200, height: 80 });
  });

  it('sizes an image by a print resolution that differs from the printer (a 300 dpi label on 203 dpi)', () => {
    expect(planImage({ width: 1200, height: 1800, dpi: 300 }, label)).toEqual({ width: 813, height: 1219 });
    expect(planImage({ width: 100, height: 50, dpi: 406.4 }, receipt)).toEqual({ width: 50, height: 25 });
  });

  it('scales a wider image down by a whole factor when that keeps ¾ of the width', () => {
    expect(planImage({ width: 1152, height: 100 }, receipt)).toEqual({ width: 576, height: 50, factor: 2 });
    expect(planImage({ width: 1000, height: 301 }, receipt)).toEqual({ width: 500, height: 151, factor: 2 });
    expect(planImage({ width: 1700, height: 30 }, receipt)).toEqual({ width: 567, height: 10, factor: 3 });
  });

  it('else by the exact factor, to the printable width', () => {
    expect(planImage({ width: 600, height: 300 }, receipt)).toEqual({ width: 576, height: 288 });
    expect(planImage({ width: 800, height: 100 }, receipt)).toEqual({ width: 576, height: 72 });
  });

  it('scales to an asked width, up or down, never past the paper', () => {
    expect(planImage({ width: 200, height: 100 }, receipt, { widthDots: 400 })).toEqual({ width: 400, height: 200 });
    expect(planImage({ width: 200, height: 100 }, receipt, { widthDots: 100 })).toEqual({ width: 100, height: 50 });
    expect(planImage({ width: 200, height: 100 }, receipt, { widthDots: 1000 })).toEqual({ width: 576, height: 288 });
  });

  it('scales a narrower image up to a minimum width', () => {
    expect(planImage({ width: 100, height: 10 }, receipt, { minWidthDots: 300 })).toEqual({ width: 300, height: 30 });
    expect(planImage({ width: 400, height: 10 }, receipt, { minWidthDots: 300 })).toEqual({ width: 400, height: 10 });
  });
});
