import { OPERATION, PRINTER_STATE, TAG } from './ipp-constants.js';
import {
  boolean,
  charset,
  collection,
  dateTime,
  enumValue,
  integer,
  keyword,
  language,
  mimeType,
  nameValue,
  octets,
  outOfBand,
  range,
  resolution,
  text,
  uri,
  type IppAttribute,
} from './ipp-message.js';
import type { IppPrinterFacts, IppPrinterView } from './ipp-printer-view.js';

/** Where the printer is reached, as the client addressed the box. */
export interface PrinterAddress {
  /** printer-uri-supported with their security and authentication, in the same order. */
  uris: { uri: string; security: 'none' | 'tls'; authentication: 'none' | 'basic' }[];
  /** The status page (printer-more-info, printer-supply-info-uri, adminurl). */
  statusPage: string;
  icon: string;
  dnsSdName: string;
}

export interface PrinterClock {
  now: Date;
  /** Seconds the IPP server has been up (printer-up-time, at least 1). */
  upTime: number;
  startedAt: Date;
  stateChangedAt: Date;
}

/** Operations every printer has; Identify-Printer only where the device can beep. */
export function operationsOf(facts: IppPrinterFacts): number[] {
  const names = Object.keys(OPERATION).filter((name) => name !== 'Print-URI' && name !== 'Send-URI' && (name !== 'Identify-Printer' || facts.canIdentify));
  return names.map((name) => OPERATION[name as keyof typeof OPERATION]);
}

/** printgate's printer reasons as IPP printer-state-reasons (RFC 8011 §5.4.12, PWG 5100.9). */
export function stateReasons(reasons: readonly string[]): string[] {
  const mapped = reasons.map((reason) => (reason === 'offline' ? 'offline-report' : reason === 'stalled' ? 'timed-out' : reason)).filter((reason) => /^[a-z][a-z0-9-]*$/.test(reason));
  return mapped.length > 0 ? [...new Set(mapped)] : ['none'];
}

export function printerState(view: IppPrinterView): number {
  if (view.status.state === 'stopped') return PRINTER_STATE.stopped;
  if (view.status.state === 'processing') return PRINTER_STATE.processing;
  return PRINTER_STATE.idle;
}

/** `MFG:…;MDL:…;CMD:…;` from the formats; ';' and ':' never appear in a value. */
function deviceId(facts: IppPrinterFacts): string {
  const clean = (value: string): string => value.replace(/[;:]/g, ' ').trim();
  const commands = facts.formats
    .filter((format) => format !== 'application/octet-stream')
    .map((format) => ({ 'application/pdf': 'PDF', 'image/pwg-raster': 'PWGRaster', 'image/urf': 'URF', 'image/jpeg': 'JPEG', 'image/png': 'PNG', 'text/plain': 'TXT' })[format] ?? clean(format.replace(/^application\/vnd\./, '').toUpperCase()));
  return `MFG:printgate;MDL:${clean(facts.makeAndModel)};CMD:${commands.join(',')};`;
}

/** The URF keywords (AirPrint's urf-supported and TXT URF): version, copies, quality, resolution, colour spaces. */
export function urfKeywords(facts: IppPrinterFacts): string[] {
  return ['V1.4', 'CP1', 'PQ4', `RS${facts.dpi}`, 'W8', 'SRGB24'];
}

/**
 * Every printer attribute of one printer (RFC 8011 §5.4, PWG 5100.7, 5100.13, 5100.14), told as it
 * is: the make from the profile, the media from the paper width, the resolution from dotsPerMM,
 * the formats printgate can print on it, the state from its live status.
 */
export function printerAttributes(view: IppPrinterView, facts: IppPrinterFacts, address: PrinterAddress, clock: PrinterClock): IppAttribute[] {
  const { media } = facts;
  const dpi = { x: facts.dpi, y: facts.dpi, units: 3 as const };
  const supportsRaster = facts.formats.includes('image/pwg-raster');
  const supportsUrf = facts.formats.includes('image/urf');
  const canSound = facts.canIdentify;
  const kinds = { receipt: 'receipt', label: 'labels', document: 'document' } as const;
  const attributes: IppAttribute[] = [
    charset('charset-configured', 'utf-8'),
    charset('charset-supported', 'utf-8', 'us-ascii'),
    boolean('color-supported', false),
    keyword('compression-supported', 'none', 'deflate', 'gzip'),
    integer('copies-default', 1),
    range('copies-supported', { lower: 1, upper: 10 }),
    mimeType('document-format-default', 'application/octet-stream'),
    mimeType('document-format-supported', ...facts.formats),
    enumValue('finishings-default', 3),
    enumValue('finishings-supported', 3),
    language('generated-natural-language-supported', 'en'),
    ...(canSound ? [keyword('identify-actions-default', 'sound'), keyword('identify-actions-supported', 'sound')] : []),
    keyword('ipp-features-supported', 'ipp-everywhere'),
    keyword('ipp-versions-supported', '1.1', '2.0'),
    keyword(
      'job-creation-attributes-supported',
      'copies', 'finishings', 'ipp-attribute-fidelity', 'job-name', 'media', 'media-col', 'multiple-document-handling', 'orientation-requested',
      'output-bin', 'print-color-mode', 'print-content-optimize', 'print-quality', 'print-rendering-intent', 'print-scaling', 'printer-resolution', 'sides',
    ),
    boolean('job-ids-supported', true),
    range('job-k-octets-supported', { lower: 0, upper: 2_000_000 }),
    keyword('job-sheets-default', 'none'),
    keyword('job-sheets-supported', 'none'),
    integer('media-bottom-margin-supported', media.margins.bottom),
    integer('media-left-margin-supported', media.margins.left),
    integer('media-right-margin-supported', media.margins.right),
    integer('media-top-margin-supported', media.margins.top),
    collection('media-col-database', ...media.database),
    collection('media-col-default', media.readyCols[0]!),
    collection('media-col-ready', ...media.readyCols),
    keyword('media-col-supported', 'media-bottom-margin', 'media-left-margin', 'media-right-margin', 'media-size', 'media-source', 'media-top-margin', 'media-type'),
    keyword('media-default', media.defaultName),
    keyword('media-ready', ...media.ready),
    collection('media-size-supported', ...media.sizes),
    keyword('media-source-supported', media.source),
    keyword('media-supported', ...media.supported),
    keyword('media-type-supported', media.type),
    keyword('multiple-document-handling-supported', 'separate-documents-uncollated-copies', 'separate-documents-collated-copies'),
    boolean('multiple-document-jobs-supported', false),
    integer('multiple-operation-time-out', 60),
    keyword('multiple-operation-time-out-action', 'abort-job'),
    language('natural-language-configured', 'en'),
    integer('number-up-default', 1),
    integer('number-up-supported', 1),
    enumValue('operations-supported', ...operationsOf(facts)),
    enumValue('orientation-requested-default', 3),
    enumValue('orientation-requested-supported', 3),
    keyword('output-bin-default', 'face-up'),
    keyword('output-bin-supported', 'face-up'),
    boolean('page-ranges-supported', false),
    integer('pages-per-minute', facts.kind === 'document' ? 10 : 20),
    keyword('pdl-override-supported', 'attempted'),
    boolean('preferred-attributes-supported', false),
    keyword('print-color-mode-default', 'monochrome'),
    keyword('print-color-mode-supported', 'monochrome'),
    keyword('print-content-optimize-default', 'auto'),
    keyword('print-content-optimize-supported', 'auto'),
    enumValue('print-quality-default', 4),
    enumValue('print-quality-supported', 4),
    keyword('print-rendering-intent-default', 'auto'),
    keyword('print-rendering-intent-supported', 'auto'),
    keyword('print-scaling-default', 'auto'),
    keyword('print-scaling-supported', 'auto', 'fit', 'none'),
    dateTime('printer-config-change-date-time', clock.startedAt),
    integer('printer-config-change-time', 1),
    dateTime('printer-current-time', clock.now),
    text('printer-device-id', deviceId(facts)),
    nameValue('printer-dns-sd-name', address.dnsSdName),
    outOfBand('printer-geo-location', TAG.unknown),
    keyword('printer-get-attributes-supported', 'document-format'),
    uri('printer-icons', address.icon),
    text('printer-info', view.displayName.slice(0, 127)),
    boolean('printer-is-accepting-jobs', true),
    keyword('printer-kind', kinds[facts.kind]),
    text('printer-location', `group ${view.printer.groupPath}`.slice(0, 127)),
    text('printer-make-and-model', facts.makeAndModel),
    uri('printer-more-info', address.statusPage),
    nameValue('printer-name', view.displayName.slice(0, 127)),
    text('printer-organization', ''),
    text('printer-organizational-unit', ''),
    resolution('printer-resolution-default', dpi),
    resolution('printer-resolution-supported', dpi),
    enumValue('printer-state', printerState(view)),
    dateTime('printer-state-change-date-time', clock.stateChangedAt),
    integer('printer-state-change-time', Math.max(1, Math.round((clock.stateChangedAt.getTime() - clock.startedAt.getTime()) / 1000))),
    text('printer-state-message', view.status.lastError?.slice(0, 255) ?? (view.status.state === 'stopped' ? 'stopped' : 'ready')),
    keyword('printer-state-reasons', ...stateReasons(view.status.reasons)),
    ...supplies(view, facts),
    uri('printer-supply-info-uri', address.statusPage),
    integer('printer-up-time', clock.upTime),
    uri('printer-uri-supported', ...address.uris.map((entry) => entry.uri)),
    uri('printer-uuid', `urn:uuid:${view.printer.uuid}`),
    ...(supportsRaster
      ? [
          resolution('pwg-raster-document-resolution-supported', dpi),
          keyword('pwg-raster-document-sheet-back', 'normal'),
          keyword('pwg-raster-document-type-supported', 'black_1', 'sgray_8', 'srgb_8', 'cmyk_8', 'srgb_16'),
        ]
      : []),
    integer('queued-job-count', view.queuedJobs),
    keyword('sides-default', 'one-sided'),
    keyword('sides-supported', 'one-sided'),
    keyword('uri-authentication-supported', ...address.uris.map((entry) => entry.authentication)),
    keyword('uri-security-supported', ...address.uris.map((entry) => entry.security)),
    ...(supportsUrf ? [keyword('urf-supported', ...urfKeywords(facts))] : []),
    keyword('which-jobs-supported', 'completed', 'not-completed', 'all'),
  ];
  return attributes;
}

/**
 * The roll or the sheets as the one supply (RFC 3805 prtMarkerSupplies in IPP's octetString
 * form): level -3 ("some remains") while paper is in, 0 when the printer reports it out.
 */
function supplies(view: IppPrinterView, facts: IppPrinterFacts): IppAttribute[] {
  const empty = view.status.reasons.includes('media-empty');
  const low = view.status.reasons.includes('media-low');
  const level = empty ? 0 : low ? 10 : -3;
  const description = facts.kind === 'label' ? 'Label roll' : facts.kind === 'receipt' ? 'Receipt paper roll' : 'Paper';
  return [
    octets('printer-supply', `index=1;class=supplyThatIsConsumed;type=other;unit=percent;maxcapacity=100;level=${level};colorantname=unknown;`),
    text('printer-supply-description', description),
  ];
}
