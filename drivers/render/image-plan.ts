/** What a document asks of one image's size. */
export interface ImageRequest {
  /** An explicit width in dots (markup `width`, HTML `width=`, the job's `fit=width`): scaled to it, up or down. */
  widthDots?: number;
  /** Markup `min-width`: an image narrower than this is scaled up to it. */
  minWidthDots?: number;
}

/** The size an image is printed at, in dots; `factor` when it is scaled down by a whole number. */
export interface ImagePlan {
  width: number;
  height: number;
  factor?: number;
}

/** Resolutions below this are screen defaults (72, 96, 144 dpi), not a print size: the image prints 1:1. */
export const MIN_PRINT_DPI = 150;
/** An image within 2 % of the printer's resolution is at it (8 dots/mm is 203.2 dpi; files say 203 or 200). */
const SAME_DPI = 0.02;
/** A wider image is scaled down by a whole factor when that keeps at least this share of the printable width. */
const WHOLE_FACTOR_SHARE = 0.75;

const scaled = (height: number, from: number, to: number): number => Math.max(1, Math.round((height * to) / from));

/**
 * The size of an image on paper (issue 16): one pixel one dot, unless
 * - the file states a print resolution (≥ 150 dpi) that differs from the printer's: sized by it;
 * - the document asks for a width (or a minimum width): scaled to it, up or down, never past the paper;
 * - it is wider than the printable width: halved, thirded… when that leaves it at least ¾ of the
 *   width (even modules for barcodes in the picture), else scaled by the exact factor to the width.
 */
export function planImage(image: { width: number; height: number; dpi?: number }, printer: { dpi: number; widthDots: number }, request: ImageRequest = {}): ImagePlan {
  const paper = printer.widthDots;
  const { width, height } = image;
  if (request.widthDots !== undefined) {
    const target = Math.max(1, Math.min(paper, Math.round(request.widthDots)));
    return { width: target, height: scaled(height, width, target) };
  }
  let natural = { width, height };
  const dpi = image.dpi;
  if (dpi !== undefined && dpi >= MIN_PRINT_DPI && Math.abs(dpi - printer.dpi) > SAME_DPI * printer.dpi) {
    natural = { width: Math.max(1, Math.round((width * printer.dpi) / dpi)), height: Math.max(1, Math.round((height * printer.dpi) / dpi)) };
  }
  if (request.minWidthDots !== undefined && natural.width < request.minWidthDots) {
    const target = Math.min(paper, Math.round(request.minWidthDots));
    return { width: target, height: scaled(height, width, target) };
  }
  if (natural.width <= paper) return natural;
  if (natural.width === width) {
    const factor = Math.ceil(width / paper);
    if (width / factor >= WHOLE_FACTOR_SHARE * paper) return { width: Math.ceil(width / factor), height: Math.ceil(height / factor), factor };
  }
  return { width: paper, height: scaled(height, width, paper) };
}
