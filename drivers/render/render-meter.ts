import type { RenderBudget, RenderInput } from '../../src/driver-api/index.js';
import { DEFAULT_RENDER_LIMITS, DriverError, renderBudget } from '../../src/driver-api/index.js';

const number = (value: number): string => Math.round(value).toLocaleString('en-US');

/** DOCUMENT_TOO_COMPLEX naming the budget, its limit and what the document needs. */
export function tooComplex(budget: keyof RenderBudget | 'timeoutSeconds', limit: number, actual: number, message: string): DriverError {
  return new DriverError('DOCUMENT_TOO_COMPLEX', message, { details: { budget, limit, actual } });
}

/**
 * Keeps the account of one render (or preview) against its budget: every decoder and rasteriser
 * charges what it is about to allocate, and the charge that would go past a limit throws
 * DOCUMENT_TOO_COMPLEX before the memory is taken. One meter per call: renderers stay pure.
 */
export class RenderMeter {
  private pixelsUsed = 0;

  constructor(
    readonly budget: RenderBudget,
    private readonly dotsPerMM: number,
  ) {}

  /** The meter of one render: the input's budget, else the defaults at the profile's resolution. */
  static of(input: Pick<RenderInput, 'budget' | 'profile'>): RenderMeter {
    return new RenderMeter(input.budget ?? renderBudget(DEFAULT_RENDER_LIMITS, input.profile), input.profile.dotsPerMM);
  }

  get pixels(): number {
    return this.pixelsUsed;
  }

  /** Charges `count` pixels for `what` ("the 6000×6600 image"); throws when the document would pass maxPixels. */
  chargePixels(count: number, what: string): void {
    const total = this.pixelsUsed + count;
    const limit = this.budget.maxPixels;
    if (!(total <= limit)) {
      const before = this.pixelsUsed > 0 ? ` (${number(this.pixelsUsed)} already used by the document)` : '';
      throw tooComplex('maxPixels', limit, total, `${what} needs ${number(count)} pixels${before}; limits.render.maxPixels allows ${number(limit)} per document`);
    }
    this.pixelsUsed = total;
  }

  /** Checks one image, PDF page or label `dots` tall against maxPageHeightDots. */
  checkPageHeight(dots: number, what: string): void {
    const limit = this.budget.maxPageHeightDots;
    if (dots <= limit) return;
    const mm = (value: number): string => `${number(value / this.dotsPerMM)} mm`;
    throw tooComplex('maxPageHeightDots', limit, dots, `${what} would be ${number(dots)} dots (${mm(dots)}) tall; limits.render.maxPageHeightMM allows ${mm(limit)} (${number(limit)} dots)`);
  }

  /** Checks a PDF's page count against maxPages. */
  checkPages(pages: number): void {
    const limit = this.budget.maxPages;
    if (pages <= limit) return;
    throw tooComplex('maxPages', limit, pages, `the PDF has ${number(pages)} pages; limits.render.maxPages allows ${number(limit)}`);
  }

  /** Checks the rendered output's size against maxOutputBytes. */
  checkOutput(bytes: number): void {
    const limit = this.budget.maxOutputBytes;
    if (bytes <= limit) return;
    throw tooComplex('maxOutputBytes', limit, bytes, `the document renders to ${number(bytes)} bytes; limits.render.maxOutputBytes allows ${number(limit)}`);
  }
}
