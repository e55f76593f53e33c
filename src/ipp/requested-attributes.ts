import type { IppAttribute } from './ipp-message.js';

/** Job template attributes of a printer: their -default, -supported, -ready and -database attributes. */
const isTemplate = (name: string): boolean => /-(default|supported|ready|database)$/.test(name);

/**
 * The attributes a client asked for (requested-attributes, RFC 8011 §4.2.5.1): everything when it
 * named none or a group ("all", "printer-description", "job-template"…), else those it named.
 */
export function selectAttributes(all: IppAttribute[], requested: IppAttribute | undefined): IppAttribute[] {
  const names = (requested?.values ?? []).map((value) => value.value).filter((value): value is string => typeof value === 'string');
  if (names.length === 0 || names.includes('all') || names.includes('printer-description') || names.includes('job-description')) return all;
  const wanted = new Set(names);
  const templates = wanted.has('job-template');
  return all.filter((attribute) => wanted.has(attribute.name) || (templates && isTemplate(attribute.name)));
}
