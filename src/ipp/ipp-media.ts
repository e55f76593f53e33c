import type { PrinterProfile } from '../driver-api/index.js';
import { TAG } from './ipp-constants.js';
import { collection, integer, keyword, type IppAttribute } from './ipp-message.js';

/** What a printer feeds, IPP's way: a receipt roll, a label roll, or sheets of an office printer. */
export type PaperKind = 'receipt' | 'label' | 'document';

export interface Margins {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** One media size: its PWG self-describing name and size in hundredths of a millimetre. */
interface MediaSize {
  name: string;
  width: number;
  length: number;
}

/** The media attributes of one printer (PWG 5100.7, 5101.1): names, collections, margins. */
export interface MediaDescription {
  kind: PaperKind;
  defaultName: string;
  /** media-supported: the roll's range (roll_max_/roll_min_) and the fixed sizes. */
  supported: string[];
  ready: string[];
  margins: Margins;
  source: string;
  type: string;
  /** media-col-database: one collection per size, roll ranges included. */
  database: IppAttribute[][];
  /** media-col-ready / media-col-default: what is loaded. */
  readyCols: IppAttribute[][];
  /** media-size-supported: x/y as integers or ranges. */
  sizes: IppAttribute[][];
}

/** Shortest and longest piece of roll a document may ask for (receipts and labels), in millimetres. */
const ROLL_MIN_LENGTH_MM = 25;
/** The length a client lays a page out on when it asks for the roll's default size. */
const RECEIPT_PAGE_MM = 297;

const mm = (value: number): string => String(Math.round(value * 100) / 100).replace(/\.0+$/, '');
const hundredths = (millimetres: number): number => Math.round(millimetres * 100);

/** Standard label sizes (inches) that LPrint and Zebra drivers offer on a 4-inch head. */
const LABELS_IN: readonly [string, number, number][] = [
  ['na_index-4x6_4x6in', 4, 6],
  ['oe_4x4-label_4x4in', 4, 4],
  ['oe_4x2-label_4x2in', 4, 2],
  ['oe_2x1-label_2x1in', 2, 1],
];

function sizeCol(width: number | { lower: number; upper: number }, length: number | { lower: number; upper: number }): IppAttribute[] {
  const dimension = (name: string, value: number | { lower: number; upper: number }): IppAttribute =>
    typeof value === 'number' ? integer(name, value) : { name, values: [{ tag: TAG.rangeOfInteger, value }] };
  return [dimension('x-dimension', width), dimension('y-dimension', length)];
}

function mediaCol(size: IppAttribute[], margins: Margins, source: string, type: string, key?: string): IppAttribute[] {
  return [
    ...(key ? [keyword('media-key', key)] : []),
    collection('media-size', size),
    integer('media-bottom-margin', margins.bottom),
    integer('media-left-margin', margins.left),
    integer('media-right-margin', margins.right),
    integer('media-top-margin', margins.top),
    keyword('media-source', source),
    keyword('media-type', type),
  ];
}

/**
 * The media of a printer from its profile. A receipt or label roll the IPP Everywhere way: its
 * width fixed at the paper width, any length between roll_min_ and roll_max_ (the render budget's
 * tallest page), margins = what the head cannot reach; the default is one page of the roll. An
 * office printer (pdf) offers A4 and Letter.
 */
export function describeMedia(kind: PaperKind, profile: PrinterProfile, maxLengthMM: number): MediaDescription {
  if (kind === 'document') {
    const margins = { top: 423, bottom: 423, left: 423, right: 423 };
    const sizes: MediaSize[] = [
      { name: 'iso_a4_210x297mm', width: 21000, length: 29700 },
      { name: 'na_letter_8.5x11in', width: 21590, length: 27940 },
    ];
    const database = sizes.map((size) => mediaCol(sizeCol(size.width, size.length), margins, 'auto', 'stationery'));
    return {
      kind,
      defaultName: sizes[0]!.name,
      supported: sizes.map((size) => size.name),
      ready: sizes.map((size) => size.name),
      margins,
      source: 'auto',
      type: 'stationery',
      database,
      readyCols: database,
      sizes: sizes.map((size) => sizeCol(size.width, size.length)),
    };
  }
  const width = profile.paperWidthMM;
  const side = Math.max(0, hundredths((profile.paperWidthMM - profile.printableWidthMM) / 2));
  const margins = { top: 0, bottom: 0, left: side, right: side };
  const source = 'main-roll';
  const type = kind === 'label' ? 'labels' : 'continuous';
  const maxLength = Math.max(ROLL_MIN_LENGTH_MM, Math.floor(maxLengthMM));
  const rollMax = `roll_max_${mm(width)}x${mm(maxLength)}mm`;
  const rollMin = `roll_min_${mm(width)}x${ROLL_MIN_LENGTH_MM}mm`;
  const rollRange = sizeCol(hundredths(width), { lower: hundredths(ROLL_MIN_LENGTH_MM), upper: hundredths(maxLength) });
  const fixed: MediaSize[] =
    kind === 'label'
      ? LABELS_IN.filter(([, w]) => w * 25.4 <= width + 0.5).map(([name, w, l]) => ({ name, width: Math.round(w * 2540), length: Math.round(l * 2540) }))
      : [{ name: `om_roll-${mm(width)}mm_${mm(width)}x${RECEIPT_PAGE_MM}mm`, width: hundredths(width), length: hundredths(Math.min(RECEIPT_PAGE_MM, maxLength)) }];
  const defaultSize = fixed[0] ?? { name: `om_roll-${mm(width)}mm_${mm(width)}x${mm(Math.min(RECEIPT_PAGE_MM, maxLength))}mm`, width: hundredths(width), length: hundredths(Math.min(RECEIPT_PAGE_MM, maxLength)) };
  const fixedCols = (fixed.length > 0 ? fixed : [defaultSize]).map((size) => mediaCol(sizeCol(size.width, size.length), margins, source, type));
  const readyCols = [mediaCol(sizeCol(defaultSize.width, defaultSize.length), margins, source, type)];
  return {
    kind,
    defaultName: defaultSize.name,
    supported: [rollMax, rollMin, ...(fixed.length > 0 ? fixed : [defaultSize]).map((size) => size.name)],
    ready: [defaultSize.name],
    margins,
    source,
    type,
    database: [mediaCol(rollRange, margins, source, type), ...fixedCols],
    readyCols,
    sizes: [rollRange, ...(fixed.length > 0 ? fixed : [defaultSize]).map((size) => sizeCol(size.width, size.length))],
  };
}

/** Is `name` one of the printer's media, or a size the roll can take (custom_/roll_ within the range)? */
export function acceptsMedia(media: MediaDescription, name: string): boolean {
  return media.supported.includes(name) && !name.startsWith('roll_max_') && !name.startsWith('roll_min_');
}
