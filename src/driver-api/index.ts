/**
 * The only module drivers (drivers/**) may import. Transports move bytes to a device URI;
 * languages turn a document into a printer's bytes. Neither knows the other: they meet in the
 * job dispatcher.
 */
export { DriverError, isDriverError } from './driver-error.js';
export { isCatalogueError } from '../errors/catalogue-error.js';
export type { ErrorCode } from '../errors/codes.js';
export type { Transport, TransportFactory, TransportContext, TransportSession, DeliveryReport, SendMeta, ListedDevice } from './transport.js';
export type { Language, RenderInput, RenderOptions, PrinterProfile, RenderResult, PreviewResult, RenderBudget, RenderLimits } from './language.js';
export { DEFAULT_RENDER_LIMITS, renderBudget } from './language.js';
export { SUPPORTED_CHARSETS, canonicalCharset, decodeText } from './charset.js';
export type { DriverLogger } from './driver-logger.js';
export type { StatusQuery, StatusReading } from './status-query.js';
export { blockingReasons, WARNING_REASONS } from './status-query.js';
export { bounded, type Settle, type BoundedOptions } from './bounded.js';
export { describeSystemError, systemErrorMeaning, type DeviceKind, type SystemErrorMeaning } from './system-errors.js';
export { backoffDelay } from './backoff.js';
