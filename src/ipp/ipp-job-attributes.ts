import type { Job } from '../jobs/job-store.js';
import { JOB_STATE, TAG } from './ipp-constants.js';
import type { IppJob } from './ipp-job-table.js';
import { dateTime, enumValue, integer, keyword, nameValue, outOfBand, text, uri, type IppAttribute } from './ipp-message.js';

/** How long a Create-Job waits for its document (multiple-operation-time-out). */
export const DOCUMENT_TIMEOUT_MS = 60_000;

export interface JobClock {
  now: Date;
  startedAt: Date;
  upTime: number;
}

/** What a job is in IPP's words: job-state, its reasons and a message. */
export interface IppJobState {
  state: number;
  reasons: string[];
  message: string;
}

/** A Create-Job still waiting for its document, or past the time it had. */
function incomingState(job: IppJob, now: Date): IppJobState {
  if (job.closed === 'canceled') return { state: JOB_STATE.canceled, reasons: ['job-canceled-by-user'], message: 'canceled before its document came' };
  if (job.closed === 'aborted' || now.getTime() - job.createdAt.getTime() > DOCUMENT_TIMEOUT_MS) {
    return { state: JOB_STATE.aborted, reasons: ['aborted-by-system'], message: 'no document came within multiple-operation-time-out (60 s)' };
  }
  return { state: JOB_STATE.pending, reasons: ['job-incoming'], message: 'waiting for its document (Send-Document)' };
}

/**
 * printgate's job states as IPP's: pending 3, held 4 (pending-held), processing 5, canceled 7,
 * aborted 8, completed 9. `completed` is said only when printgate says it: the printer took the job.
 */
export function ippJobState(job: IppJob, printgate: Job | null, now: Date): IppJobState {
  if (!printgate) return incomingState(job, now);
  const reason = printgate.stateReason ?? '';
  const message = (printgate.errorMessage ?? printgate.stateReason ?? printgate.state).slice(0, 255);
  switch (printgate.state) {
    case 'pending':
      return { state: JOB_STATE.pending, reasons: reason !== '' && reason !== 'released-by-user' ? ['printer-stopped'] : ['none'], message };
    case 'held':
      return { state: JOB_STATE['pending-held'], reasons: ['job-held-for-review'], message };
    case 'processing':
      return { state: JOB_STATE.processing, reasons: ['job-printing'], message };
    case 'completed':
      return { state: JOB_STATE.completed, reasons: ['job-completed-successfully'], message: 'printed' };
    case 'canceled':
      return { state: JOB_STATE.canceled, reasons: ['job-canceled-by-user'], message };
    case 'aborted':
      return {
        state: JOB_STATE.aborted,
        reasons: ['aborted-by-system', ...(printgate.errorCode === 'DOCUMENT_FORMAT_ERROR' ? ['document-format-error'] : []), 'job-completed-with-errors'],
        message,
      };
  }
}

const seconds = (at: Date, clock: JobClock): number => Math.max(0, Math.round((at.getTime() - clock.startedAt.getTime()) / 1000));

/** A time attribute pair (time-at-… integer, date-time-at-… dateTime), or no-value when it has not happened. */
function timePair(suffix: 'creation' | 'processing' | 'completed', at: string | Date | null, clock: JobClock): IppAttribute[] {
  if (at === null) return [outOfBand(`time-at-${suffix}`, TAG.noValue), outOfBand(`date-time-at-${suffix}`, TAG.noValue)];
  const date = typeof at === 'string' ? new Date(at) : at;
  return [integer(`time-at-${suffix}`, seconds(date, clock)), dateTime(`date-time-at-${suffix}`, date)];
}

/** The job's attributes (RFC 8011 §5.3), from the IPP job and its printgate job. */
export function jobAttributes(job: IppJob, printgate: Job | null, printerUri: string, clock: JobClock): IppAttribute[] {
  const state = ippJobState(job, printgate, clock.now);
  const terminal = state.state >= JOB_STATE.canceled;
  const processingAt = printgate?.sentAt ?? (printgate && terminal ? printgate.completedAt : null);
  return [
    integer('job-id', job.id),
    uri('job-uri', `${printerUri}/${job.id}`),
    uri('job-uuid', job.uuid),
    uri('job-printer-uri', printerUri),
    nameValue('job-name', job.name.slice(0, 255) || `job ${job.id}`),
    nameValue('job-originating-user-name', job.user.slice(0, 255) || 'anonymous'),
    enumValue('job-state', state.state),
    keyword('job-state-reasons', ...state.reasons),
    text('job-state-message', state.message),
    integer('job-printer-up-time', clock.upTime),
    integer('number-of-documents', printgate ? 1 : 0),
    integer('copies', printgate?.copies ?? job.template.copies ?? 1),
    ...(printgate ? [integer('job-k-octets', Math.ceil(printgate.bytes / 1024))] : [outOfBand('job-k-octets', TAG.noValue)]),
    ...timePair('creation', job.createdAt, clock),
    ...timePair('processing', processingAt, clock),
    ...timePair('completed', terminal ? (printgate?.completedAt ?? clock.now.toISOString()) : null, clock),
    ...(printgate ? [text('job-printgate-id', printgate.id)] : []),
  ];
}
