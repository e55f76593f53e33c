/**
 * The one error catalogue. Every error printgate reports — to an HTTP client, in a job's
 * stateReason, or on the command line — carries one of these codes.
 *
 * `action` is what the job engine does when a driver raises the code while a job is on the wire
 * (the CUPS backend vocabulary): retry later, stop the printer (job stays pending), hold the job for
 * a person, fail (abort) the job, or cancel it. `none` marks codes that never come from a driver.
 */
export type JobAction = 'none' | 'retry' | 'stop-printer' | 'hold' | 'fail' | 'cancel';

export interface ErrorSpec {
  readonly status: number;
  readonly message: string;
  readonly action: JobAction;
}

export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, message: 'The request is malformed.', action: 'none' },
  UNAUTHORIZED: {
    status: 401,
    message: 'No API key. Send it as "Authorization: Bearer <key>", a "Star-Api-Key" header or a "key" query parameter.',
    action: 'none',
  },
  TOKEN_INVALID: { status: 401, message: 'The API key is malformed or unknown.', action: 'none' },
  TOKEN_REVOKED: { status: 401, message: 'The API key was revoked. Ask for a new key.', action: 'none' },
  TOKEN_EXPIRED: { status: 401, message: 'The API key has expired. Ask for a new key.', action: 'none' },
  TOKEN_DISABLED: { status: 401, message: 'The API key is disabled for now. Ask an administrator to enable it.', action: 'none' },
  INSUFFICIENT_SCOPE: { status: 403, message: 'The API key lacks the permission this endpoint needs.', action: 'none' },
  NOT_FOUND: { status: 404, message: 'No such resource.', action: 'none' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed on this path.', action: 'none' },
  CONFLICT: { status: 409, message: 'The request conflicts with the current state.', action: 'none' },
  IDEMPOTENCY_CONFLICT: {
    status: 409,
    message: 'This Idempotency-Key was already used with a different request.',
    action: 'none',
  },
  HEADERS_TOO_LARGE: { status: 431, message: 'The request headers are larger than 16 KiB.', action: 'none' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The document is larger than limits.maxDocumentBytes.', action: 'none' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'This Content-Type cannot be printed.', action: 'none' },
  RATE_LIMITED: { status: 429, message: 'Too many requests with this API key. Retry after the Retry-After seconds.', action: 'none' },
  AUTH_THROTTLED: {
    status: 429,
    message: 'Too many failed authentications from this address. Retry after the Retry-After seconds.',
    action: 'none',
  },
  QUEUE_FULL: { status: 429, message: 'The printer queue is full (limits.maxQueuedJobs). Retry later.', action: 'none' },
  CLOUDPRNT_NETWORK_REFUSED: {
    status: 403,
    message: 'This address may not register new CloudPRNT printers: add its network to cloudprnt.autoCreate.allowedNetworks, or configure the printer (uri: cloudprnt:<mac>).',
    action: 'none',
  },
  CLOUDPRNT_GROUP_FULL: {
    status: 409,
    message: 'The device group has as many printers as cloudprnt.autoCreate.maxDevicesPerGroup allows: delete one or raise the limit.',
    action: 'none',
  },
  CLOUDPRNT_JOIN_RATE: {
    status: 429,
    message: 'New CloudPRNT printers are joining faster than cloudprnt.autoCreate.newDevicesPerMinute allows. Retry after the Retry-After seconds.',
    action: 'none',
  },
  WEBHOOK_TARGET_REFUSED: {
    status: 400,
    message: 'The webhook URL reaches a loopback, link-local, private-LAN or own address: list it in webhooks.allowPrivateTargets to allow it.',
    action: 'none',
  },
  INTERNAL: { status: 500, message: 'Internal error. The request id is in the gateway log.', action: 'retry' },
  SHUTTING_DOWN: { status: 503, message: 'The gateway is shutting down. Retry in a moment.', action: 'retry' },
  CONFIG_INVALID: { status: 500, message: 'The configuration is invalid.', action: 'none' },

  // Raised by transports and languages while a job is on the wire.
  PRINTER_UNREACHABLE: { status: 503, message: 'The printer cannot be reached.', action: 'stop-printer' },
  PRINTER_TIMEOUT: { status: 504, message: 'The printer did not answer in time.', action: 'retry' },
  PRINTER_BUSY: { status: 503, message: 'The printer is busy.', action: 'retry' },
  PRINTER_ERROR: { status: 502, message: 'The printer reported an error.', action: 'hold' },
  PRINTER_REJECTED_JOB: {
    status: 502,
    message: 'The printer reported that it could not print the job (e.g. CloudPRNT 411 paper jam); the job is not retried.',
    action: 'fail',
  },
  DOCUMENT_FORMAT_ERROR: { status: 422, message: 'The document cannot be rendered for this printer.', action: 'fail' },
  UNSUPPORTED_URI: { status: 400, message: 'No transport handles this device URI.', action: 'fail' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}
