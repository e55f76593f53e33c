import type { RenderOptions } from '../driver-api/index.js';
import { isErrorCode, type ErrorCode } from '../errors/codes.js';
import type { JobState } from './job-states.js';

/** Front doors: Star's print route, the native API, the CLI, Star's welcome page, IPP, a raw port. */
export type JobSource = 'star' | 'api' | 'cli' | 'welcome' | 'ipp' | 'raw';

/** A job as the API, the workers and the events see it. */
export interface Job {
  id: string;
  seq: number;
  printerId: string;
  name: string;
  contentType: string;
  bytes: number;
  copies: number;
  options: RenderOptions;
  state: JobState;
  stateReason: string | null;
  attempts: number;
  maxAttempts: number;
  warnings: string[];
  /** The spool file holding a large document; '' when the document is in the database (`job_documents`). */
  spoolFile: string;
  keyId: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** The printer's own result for the job's last attempt as it reported it (CloudPRNT: "411 Paper jam"); null for other transports. */
  printerCode: string | null;
  /** The catalogue code of the job's last error (kept, never re-parsed from stateReason), and its message. */
  errorCode: ErrorCode | null;
  errorMessage: string | null;
  /** The front door the job came in by. */
  source: JobSource;
  /** The document's charset (text and markup), canonical lower case; null = UTF-8 / not text. */
  charset: string | null;
  /** Times rendering was started: a document that crashes the renderer is not tried for ever. */
  renderAttempts: number;
  /** When its bytes of the current attempt were handed to the printer's connection (null: not yet). */
  sentAt: string | null;
  /** Times it was sent again because a restart found it on the wire (jobs.maxReprints bounds them). */
  reprints: number;
}

/** The columns a job is read with, and its row turned into a Job. */
export const COLUMNS = `seq, id, printer_id, name, content_type, bytes, copies, options_json, state, state_reason, attempts,
  max_attempts, warnings_json, spool_file, key_id, idempotency_key, request_hash, created_at, updated_at, completed_at,
  printer_code, error_code, error_message, source, charset, render_attempts, sent_at, reprints`;
export const J_COLUMNS = COLUMNS.split(',').map((column) => `jobs.${column.trim()}`).join(', ');

export interface JobRow {
  seq: number;
  id: string;
  printer_id: string;
  name: string;
  content_type: string;
  bytes: number;
  copies: number;
  options_json: string;
  state: JobState;
  state_reason: string | null;
  attempts: number;
  max_attempts: number;
  warnings_json: string;
  spool_file: string;
  key_id: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  printer_code: string | null;
  error_code: string | null;
  error_message: string | null;
  source: string;
  charset: string | null;
  render_attempts: number;
  sent_at: string | null;
  reprints: number;
}

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    seq: row.seq,
    printerId: row.printer_id,
    name: row.name,
    contentType: row.content_type,
    bytes: row.bytes,
    copies: row.copies,
    options: JSON.parse(row.options_json) as RenderOptions,
    state: row.state,
    stateReason: row.state_reason,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    warnings: JSON.parse(row.warnings_json) as string[],
    spoolFile: row.spool_file,
    keyId: row.key_id,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
    printerCode: row.printer_code,
    errorCode: row.error_code !== null && isErrorCode(row.error_code) ? row.error_code : null,
    errorMessage: row.error_message,
    source: row.source as JobSource,
    charset: row.charset,
    renderAttempts: row.render_attempts,
    sentAt: row.sent_at,
    reprints: row.reprints,
  };
}

