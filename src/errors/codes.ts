/**
 * The one error catalogue. Every error printgate reports — to an HTTP client, on a job, or on the
 * command line — carries one of these codes.
 *
 * Codes a printer driver (or the job engine) raises while a job is on the wire carry an `action`
 * (the CUPS backend vocabulary: what the engine does next) and a `reason` (the job's IPP-style
 * stateReason keyword). Codes without an action never come from a driver; if one reaches the
 * engine anyway it is treated as INTERNAL.
 */
export type JobAction = 'retry' | 'stop-printer' | 'hold' | 'fail' | 'cancel';

export interface ErrorSpec {
  readonly status: number;
  readonly message: string;
  readonly action?: JobAction;
  /** The job's stateReason when the engine met this code. */
  readonly reason?: string;
}

export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, message: 'The request is malformed.' },
  UNAUTHORIZED: {
    status: 401,
    message: 'No API key. Send it as "Authorization: Bearer <key>", a "Star-Api-Key" header or a "key" query parameter.',
  },
  TOKEN_INVALID: { status: 401, message: 'The API key is malformed or unknown.' },
  TOKEN_REVOKED: { status: 401, message: 'The API key was revoked. Ask for a new key.' },
  TOKEN_EXPIRED: { status: 401, message: 'The API key has expired. Ask for a new key.' },
  TOKEN_DISABLED: { status: 401, message: 'The API key is disabled for now. Ask an administrator to enable it.' },
  INSUFFICIENT_SCOPE: { status: 403, message: 'The API key lacks the permission this endpoint needs.' },
  NOT_FOUND: { status: 404, message: 'No such resource.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed on this path.' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state.' },
  IDEMPOTENCY_CONFLICT: { status: 409, message: 'This Idempotency-Key was already used with a different request.' },
  HEADERS_TOO_LARGE: { status: 431, message: 'The request headers are larger than 16 KiB.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The document is larger than limits.maxDocumentBytes.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'This Content-Type cannot be printed.' },
  EMPTY_DOCUMENT: { status: 400, message: 'The document is empty: send the receipt, label or file to print as the request body.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests with this API key. Retry after the Retry-After seconds.' },
  AUTH_THROTTLED: { status: 429, message: 'Too many failed authentications from this address. Retry after the Retry-After seconds.' },
  QUEUE_FULL: { status: 429, message: 'The printer queue is full (limits.maxQueuedJobs). Retry later.' },
  TOO_MANY_STREAMS: {
    status: 429,
    message: 'Too many open event streams (limits.streams.perKey for this key, limits.streams.total in all): close one, or retry after the Retry-After seconds.',
  },
  TOO_MANY_UPLOADS: {
    status: 429,
    message: 'This key is already uploading limits.perKey.concurrentUploads documents: send the next when one has finished (Retry-After seconds).',
  },
  TOO_MANY_CONNECTIONS: {
    status: 429,
    message: 'This address holds server.maxConnectionsPerClient open connections: reuse or close one, then retry after the Retry-After seconds.',
  },
  HOST_NOT_ALLOWED: {
    status: 421,
    message: "The Host header is not one of this gateway's names or addresses: use one of them, or add the name to server.allowedHosts.",
  },
  ORIGIN_NOT_ALLOWED: {
    status: 403,
    message: 'Pages from this browser origin may not call the gateway: add the origin to server.cors.origins.',
  },
  REQUEST_TIMEOUT: {
    status: 408,
    message: 'The request did not arrive in time (server.timeouts): send the headers within headersSeconds and the whole request within requestSeconds.',
  },
  EXPECTATION_FAILED: { status: 417, message: 'The Expect header can only be "100-continue".' },
  INTERNAL: { status: 500, message: 'Internal error. The request id is in the gateway log.', action: 'retry', reason: 'internal-error' },
  INSUFFICIENT_STORAGE: {
    status: 507,
    message: 'The disk of the data directory is full: the job was not accepted. Free space (jobs.keepDays, jobs.keepCount, or other files) and retry after Retry-After seconds.',
  },
  SHUTTING_DOWN: { status: 503, message: 'The gateway is shutting down. Retry in a moment.', action: 'retry', reason: 'shutting-down' },
  CONFIG_INVALID: { status: 500, message: 'The configuration is invalid; the message names each key (the CLI exits 78).' },
  CLOUDPRNT_NETWORK_REFUSED: {
    status: 403,
    message: 'This address may not register new CloudPRNT printers: add its network to cloudprnt.autoCreate.allowedNetworks, or configure the printer (uri: cloudprnt:<mac>).',
  },
  CLOUDPRNT_GROUP_FULL: {
    status: 409,
    message: 'The device group has as many printers as cloudprnt.autoCreate.maxDevicesPerGroup allows: delete one or raise the limit.',
  },
  CLOUDPRNT_JOIN_RATE: {
    status: 429,
    message: 'New CloudPRNT printers are joining faster than cloudprnt.autoCreate.newDevicesPerMinute allows. Retry after the Retry-After seconds.',
  },
  WEBHOOK_TARGET_REFUSED: {
    status: 400,
    message: 'The webhook URL reaches a loopback, link-local, private-LAN or own address: list it in webhooks.allowPrivateTargets to allow it.',
  },

  // Raised by transports, languages and the job engine while a job is on the wire.
  PRINTER_UNREACHABLE: { status: 503, message: 'The printer cannot be reached.', action: 'stop-printer', reason: 'printer-offline' },
  PRINTER_STALLED: {
    status: 503,
    message: 'The printer accepted the connection but stopped taking data (jobs.stallSeconds passed without progress).',
    action: 'stop-printer',
    reason: 'stalled',
  },
  PRINTER_TIMEOUT: { status: 504, message: 'The printer did not answer in time.', action: 'retry', reason: 'printer-timeout' },
  PRINTER_BUSY: { status: 503, message: 'The printer is busy.', action: 'retry', reason: 'printer-busy' },
  PRINTER_ERROR: { status: 502, message: 'The printer reported an error.', action: 'hold', reason: 'printer-error' },
  PRINTER_REJECTED_JOB: {
    status: 502,
    message: 'The printer reported that it could not print the job (e.g. CloudPRNT 411 paper jam); the job is not retried.',
    action: 'fail',
    reason: 'printer-rejected-job',
  },
  DOCUMENT_FORMAT_ERROR: { status: 422, message: 'The document cannot be rendered for this printer.', action: 'fail', reason: 'document-format-error' },
  UNSUPPORTED_URI: {
    status: 503,
    message: "No transport handles this printer's device URI; fix printers[].uri.",
    action: 'fail',
    reason: 'unsupported-uri',
  },
  DOCUMENT_TOO_COMPLEX: {
    status: 422,
    message: 'The document needs more than a render budget (limits.render) allows: fewer or smaller images or pages.',
    action: 'fail',
    reason: 'document-too-complex',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Codes that have shipped and were withdrawn: never to be given a new meaning (test/unit/errors). */
export const RETIRED_CODES: readonly string[] = [];

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}

export function errorSpec(code: ErrorCode): ErrorSpec {
  return ERROR_CODES[code];
}
