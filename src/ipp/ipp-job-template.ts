import type { OptionSource } from '../jobs/print-options.js';
import { TAG } from './ipp-constants.js';
import { IppRequestError } from './ipp-decoder.js';
import type { JobTemplate } from './ipp-job-table.js';
import { acceptsMedia } from './ipp-media.js';
import type { IppAttribute, IppGroup, IppValue } from './ipp-message.js';
import type { IppPrinterFacts } from './ipp-printer-view.js';

/** What the job template attributes of a request come to: printgate's options, and what was ignored. */
export interface TemplateResult {
  template: JobTemplate;
  /** Attributes (or values) not supported, returned in the unsupported-attributes group. */
  unsupported: IppAttribute[];
}

const single = (attribute: IppAttribute): IppValue | undefined => (attribute.values.length === 1 ? attribute.values[0] : undefined);
const keywordOf = (attribute: IppAttribute): string | undefined => {
  const value = single(attribute);
  return value && (value.tag === TAG.keyword || value.tag === TAG.nameWithoutLanguage) && typeof value.value === 'string' ? value.value : undefined;
};
const integerOf = (attribute: IppAttribute, tag: number = TAG.integer): number | undefined => {
  const value = single(attribute);
  return value && value.tag === tag && typeof value.value === 'number' ? value.value : undefined;
};

/** A media-col whose media-size is a size the printer offers (or within its roll's range). */
function mediaColFits(attribute: IppAttribute, facts: IppPrinterFacts): boolean {
  const value = single(attribute);
  if (!value || value.tag !== TAG.begCollection) return false;
  const members = value.value as IppAttribute[];
  const size = members.find((member) => member.name === 'media-size');
  if (!size) return true;
  const dims = (single(size)?.value ?? []) as IppAttribute[];
  const x = dims.find((d) => d.name === 'x-dimension');
  const y = dims.find((d) => d.name === 'y-dimension');
  const xv = x && integerOf(x);
  const yv = y && integerOf(y);
  if (xv === undefined || yv === undefined) return false;
  return facts.media.sizes.some((candidate) =>
    candidate.every((dimension) => {
      const v = dimension.values[0]!;
      const wanted = dimension.name === 'x-dimension' ? xv : yv;
      if (v.tag === TAG.rangeOfInteger) {
        const r = v.value as { lower: number; upper: number };
        return wanted >= r.lower - 100 && wanted <= r.upper + 100;
      }
      return Math.abs((v.value as number) - wanted) <= 100;
    }),
  );
}

type Check = (attribute: IppAttribute, facts: IppPrinterFacts) => boolean;
const oneOf =
  (...allowed: string[]): Check =>
  (attribute) => {
    const value = keywordOf(attribute);
    return value !== undefined && allowed.includes(value);
  };
const enumIn =
  (...allowed: number[]): Check =>
  (attribute) => {
    const value = integerOf(attribute, TAG.enum);
    return value !== undefined && allowed.includes(value);
  };

/** The job template attributes printgate honours or can take as they are, and how each is checked. */
const CHECKS: Readonly<Record<string, Check>> = {
  copies: (attribute) => {
    const value = integerOf(attribute);
    return value !== undefined && value >= 1 && value <= 10;
  },
  media: (attribute, facts) => {
    const value = keywordOf(attribute);
    return value !== undefined && acceptsMedia(facts.media, value);
  },
  'media-col': mediaColFits,
  sides: oneOf('one-sided'),
  'print-color-mode': oneOf('monochrome', 'auto', 'auto-monochrome', 'process-monochrome'),
  'print-quality': enumIn(3, 4, 5),
  'orientation-requested': enumIn(3),
  finishings: enumIn(3),
  'job-sheets': oneOf('none'),
  'multiple-document-handling': oneOf('separate-documents-uncollated-copies', 'separate-documents-collated-copies', 'single-document'),
  'number-up': (attribute) => integerOf(attribute) === 1,
  'print-content-optimize': oneOf('auto', 'text', 'graphic', 'photo', 'text-and-graphic'),
  'print-rendering-intent': oneOf('auto'),
  'print-scaling': oneOf('auto', 'auto-fit', 'fit', 'fill', 'none'),
  'output-bin': oneOf('face-up'),
  'job-hold-until': oneOf('no-hold'),
  'job-priority': (attribute) => {
    const value = integerOf(attribute);
    return value !== undefined && value >= 1 && value <= 100;
  },
  'printer-resolution': (attribute, facts) => {
    const value = single(attribute);
    if (!value || value.tag !== TAG.resolution) return false;
    const r = value.value as { x: number; y: number; units: number };
    return r.units === 3 && r.x === facts.dpi && r.y === facts.dpi;
  },
};

/**
 * Reads the job template attributes (the job group, RFC 8011 §5.2) against what the printer does:
 * copies and print-scaling become printgate options; media, sides, quality… are checked against
 * the printer's own values. An unsupported attribute or value is ignored and reported — or, with
 * ipp-attribute-fidelity true, refuses the job (client-error-attributes-or-values-not-supported).
 */
export function readJobTemplate(jobGroup: IppGroup | undefined, facts: IppPrinterFacts, fidelity: boolean): TemplateResult {
  const template: JobTemplate = {};
  const unsupported: IppAttribute[] = [];
  for (const attribute of jobGroup?.attributes ?? []) {
    const check = CHECKS[attribute.name];
    if (!check || !check(attribute, facts)) {
      unsupported.push(attribute);
      continue;
    }
    if (attribute.name === 'copies') template.copies = integerOf(attribute)!;
    if (attribute.name === 'print-scaling' && ['fit', 'fill', 'auto-fit'].includes(keywordOf(attribute)!)) template.fit = 'width';
  }
  if (fidelity && unsupported.length > 0) {
    throw new IppRequestError('client-error-attributes-or-values-not-supported', `not supported: ${unsupported.map((a) => a.name).join(', ')}`, unsupported);
  }
  return { template, unsupported };
}

/** printgate's print options (JobsService's OptionSource) from an IPP job: name and copies, fit for images. */
export function optionSource(name: string, template: JobTemplate): OptionSource {
  const query: Record<string, string> = {};
  if (name !== '') query.name = name.slice(0, 200);
  if (template.copies !== undefined) query.copies = String(template.copies);
  if (template.fit) query.fit = template.fit;
  return { header: () => undefined, query: (key: string) => query[key] };
}
