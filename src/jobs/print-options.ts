import { AppError } from '../errors/app-error.js';
import type { RenderOptions } from '../driver-api/index.js';

/** Print options as Star's API takes them: a header or a query parameter each. */
export interface PrintOptions extends RenderOptions {
  name: string | null;
}

export interface OptionSource {
  header(name: string): string | undefined;
  query(name: string): unknown;
}

export interface OptionDefaults {
  copies: number;
  preBuzzer: number;
  postBuzzer: number;
}

function pick(source: OptionSource, header: string, query: string): { value: string; from: string } | undefined {
  const fromHeader = source.header(header);
  if (fromHeader !== undefined) return { value: fromHeader.trim(), from: header };
  const fromQuery = source.query(query);
  if (typeof fromQuery === 'string') return { value: fromQuery.trim(), from: query };
  if (fromQuery !== undefined) {
    throw new AppError('BAD_REQUEST', `option ${query} must be given once`, { details: { field: query } });
  }
  return undefined;
}

function integerIn(source: OptionSource, header: string, query: string, min: number, max: number, fallback: number): number {
  const found = pick(source, header, query);
  if (found === undefined) return fallback;
  if (!/^\d{1,3}$/.test(found.value) || Number(found.value) < min || Number(found.value) > max) {
    throw new AppError('BAD_REQUEST', `${found.from} must be a whole number from ${min} to ${max}, got "${found.value.slice(0, 20)}"`, {
      details: { field: found.from },
    });
  }
  return Number(found.value);
}

/** Reads and validates Star-Job-Name, Star-Copies, Star-Pre-Buzzer, Star-Post-Buzzer, Star-Cash-Drawer, Printgate-Fit. */
export function parsePrintOptions(source: OptionSource, defaults: OptionDefaults): PrintOptions {
  const nameFound = pick(source, 'star-job-name', 'name');
  if (nameFound && nameFound.value.length > 200) {
    throw new AppError('BAD_REQUEST', `${nameFound.from} must be at most 200 characters`, { details: { field: nameFound.from } });
  }
  const drawerFound = pick(source, 'star-cash-drawer', 'drawer');
  let drawer: PrintOptions['drawer'] = 'none';
  if (drawerFound) {
    const value = drawerFound.value.toLowerCase();
    if (value !== 'none' && value !== 'start' && value !== 'end') {
      throw new AppError('BAD_REQUEST', `${drawerFound.from} must be none, start or end, got "${drawerFound.value.slice(0, 20)}"`, {
        details: { field: drawerFound.from },
      });
    }
    drawer = value;
  }
  const fit = parseFit(source);
  return {
    name: nameFound && nameFound.value !== '' ? nameFound.value : null,
    copies: integerIn(source, 'star-copies', 'copies', 1, 10, defaults.copies),
    preBuzzer: integerIn(source, 'star-pre-buzzer', 'startbuzzer', 0, 3, defaults.preBuzzer),
    postBuzzer: integerIn(source, 'star-post-buzzer', 'endbuzzer', 0, 3, defaults.postBuzzer),
    drawer,
    ...(fit === undefined ? {} : { fit }),
  };
}

/** Printgate-Fit / `fit`: `width` scales images and PDF pages to the printable width; `none` (the default) keeps them 1:1. */
function parseFit(source: OptionSource): RenderOptions['fit'] {
  const found = pick(source, 'printgate-fit', 'fit');
  if (found === undefined) return undefined;
  const value = found.value.toLowerCase();
  if (value === 'width') return 'width';
  if (value === 'none' || value === '') return undefined;
  throw new AppError('BAD_REQUEST', `${found.from} must be width or none, got "${found.value.slice(0, 20)}"`, { details: { field: found.from } });
}
