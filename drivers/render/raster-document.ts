import type { PrinterProfile, RenderInput } from '../../src/driver-api/index.js';
import { printableDots, type Bitmap } from './bitmap.js';
import { dither } from './dither.js';
import { readPwgRaster, type PageVisitor, type RasterPageHeader } from './pwg-raster.js';
import { lineToGrey } from './raster-lines.js';
import type { RenderMeter } from './render-meter.js';
import { readUrfRaster } from './urf-raster.js';

/** The raster formats IPP Everywhere (PWG raster) and AirPrint (Apple raster) clients send. */
export const RASTER_TYPES: readonly string[] = ['image/pwg-raster', 'image/urf'];

/** Where a page lands on the paper: the columns of the page kept, and the size in printer dots. */
interface PagePlan {
  /** First source column and number of source columns kept. */
  cropX: number;
  cropWidth: number;
  width: number;
  height: number;
}

const SAME_WIDTH = 0.02;

/**
 * A raster page on this printer. The client drew it at its own resolution on the media the IPP
 * server offered (paper width, with the unprintable margins white): it is taken to the printer's
 * resolution, and a page as wide as the paper is cropped to the printable width (the margins are
 * where the head cannot print), so it prints exactly the printable width, one dot per dot. A wider
 * page is scaled to the printable width; `fit: width` scales a narrower one up to it.
 */
export function planRasterPage(header: Pick<RasterPageHeader, 'width' | 'height' | 'xDpi' | 'yDpi'>, profile: PrinterProfile, fit?: 'width'): PagePlan {
  const dpi = profile.dotsPerMM * 25.4;
  const printable = printableDots(profile);
  const paper = Math.round(profile.paperWidthMM * profile.dotsPerMM);
  const naturalWidth = Math.max(1, Math.round((header.width * dpi) / header.xDpi));
  const naturalHeight = Math.max(1, Math.round((header.height * dpi) / header.yDpi));
  const asPaper = naturalWidth > printable && Math.abs(naturalWidth - paper) <= Math.max(8, SAME_WIDTH * paper);
  if (asPaper) {
    const offset = Math.floor((naturalWidth - printable) / 2);
    const cropX = Math.round((offset * header.xDpi) / dpi);
    const cropWidth = Math.min(header.width - cropX, Math.max(1, Math.round((printable * header.xDpi) / dpi)));
    return { cropX, cropWidth, width: printable, height: naturalHeight };
  }
  if (naturalWidth > printable || fit === 'width') {
    return { cropX: 0, cropWidth: header.width, width: printable, height: Math.max(1, Math.round((naturalHeight * printable) / naturalWidth)) };
  }
  return { cropX: 0, cropWidth: header.width, width: naturalWidth, height: naturalHeight };
}

/** Grey of the kept columns at the planned size: box average down, nearest up, a copy at 1:1. */
function scalePage(grey: Uint8Array, sourceWidth: number, sourceHeight: number, plan: PagePlan): Float32Array {
  const out = new Float32Array(plan.width * plan.height);
  const sx = plan.cropWidth / plan.width;
  const sy = sourceHeight / plan.height;
  for (let y = 0; y < plan.height; y++) {
    const y0 = y * sy;
    const y1 = Math.min(sourceHeight, (y + 1) * sy);
    for (let x = 0; x < plan.width; x++) {
      const x0 = plan.cropX + x * sx;
      const x1 = Math.min(plan.cropX + plan.cropWidth, x0 + sx);
      if (sx <= 1 && sy <= 1) {
        out[y * plan.width + x] = grey[Math.min(sourceHeight - 1, Math.floor(y0)) * sourceWidth + Math.min(sourceWidth - 1, Math.floor(x0))]!;
        continue;
      }
      let sum = 0;
      let weight = 0;
      for (let yy = Math.floor(y0); yy < Math.ceil(y1); yy++) {
        const wy = Math.min(yy + 1, y1) - Math.max(yy, y0);
        for (let xx = Math.floor(x0); xx < Math.ceil(x1); xx++) {
          const w = wy * (Math.min(xx + 1, x1) - Math.max(xx, x0));
          sum += grey[yy * sourceWidth + xx]! * w;
          weight += w;
        }
      }
      out[y * plan.width + x] = weight > 0 ? sum / weight : 255;
    }
  }
  return out;
}

function walk(input: RenderInput, visit: PageVisitor): number {
  return input.contentType === 'image/urf' ? readUrfRaster(input.body, visit) : readPwgRaster(input.body, visit);
}

/** Charges one page to the budget before its pixels are decoded. */
function charge(header: RasterPageHeader, plan: PagePlan, index: number, meter: RenderMeter): void {
  const what = `page ${index + 1} of the raster (${header.width}×${header.height} at ${header.xDpi} dpi)`;
  meter.checkPageHeight(plan.height, `${what}, printed ${plan.width} dots wide,`);
  meter.chargePixels(header.width * header.height + plan.width * plan.height, what);
}

/** Language.check for rasters: every page header read and charged, the data walked, nothing kept. */
export function checkRaster(input: RenderInput, meter: RenderMeter): void {
  const pages = walk(input, (header, index) => {
    charge(header, planRasterPage(header, input.profile, input.options.fit), index, meter);
    return null;
  });
  meter.checkPages(pages);
}

/** A PWG or Apple raster as dots, one bitmap per page, within the budget (pages charged before they are decoded). */
export function rasterBitmaps(input: RenderInput, meter: RenderMeter): Bitmap[] {
  const { profile } = input;
  const bitmaps: Bitmap[] = [];
  let current: { header: RasterPageHeader; plan: PagePlan; grey: Uint8Array } | null = null;
  const finish = (): void => {
    if (!current) return;
    const { header, plan, grey } = current;
    bitmaps.push(dither(scalePage(grey, header.width, header.height, plan), plan.width, plan.height, profile.dither ?? 'floyd-steinberg', profile.ditherThreshold ?? 128));
    current = null;
  };
  const pages = walk(input, (header, index) => {
    finish();
    meter.checkPages(index + 1);
    const plan = planRasterPage(header, profile, input.options.fit);
    charge(header, plan, index, meter);
    const page = { header, plan, grey: new Uint8Array(header.width * header.height) };
    current = page;
    return (row, y) => lineToGrey(row, header.format, header.width, page.grey, y * header.width);
  });
  finish();
  meter.checkPages(pages);
  return bitmaps;
}

/** The bitmap without its blank rows at the bottom (a receipt roll does not feed a page's empty end). */
export function trimBottom(bitmap: Bitmap): Bitmap {
  let height = bitmap.height;
  while (height > 1 && bitmap.data.subarray((height - 1) * bitmap.width, height * bitmap.width).every((dot) => dot === 0)) height -= 1;
  return height === bitmap.height ? bitmap : { width: bitmap.width, height, data: bitmap.data.subarray(0, height * bitmap.width) };
}
