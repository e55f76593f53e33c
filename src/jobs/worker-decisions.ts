import { isCatalogueError } from '../errors/catalogue-error.js';
import { errorSpec, type ErrorCode, type JobAction } from '../errors/codes.js';
import type { JobState } from './job-states.js';
import type { TransitionChange } from './job-store.js';
import type { StatusCheck } from './status-checker.js';

/**
 * The printer worker's decisions as plain functions of what happened: what a job becomes after
 * an error, after a status answer, after a lost connection. No I/O, no clock: the worker does
 * the effects (send, ask, wait) and unit tests check every branch in microseconds.
 */

/** What the engine does about an error met while a job was on the wire: the catalogue decides. */
export interface FailureDecision {
  code: ErrorCode;
  action: JobAction;
  /** The job's stateReason. */
  reason: string;
  message: string;
  /** The printer's own result code, where it gave one (CloudPRNT "411 Paper jam"). */
  printerCode: string | null;
}

/** An error → its catalogue code's action and reason; an error without one (a bug) is INTERNAL. */
export function decideFailure(error: unknown): FailureDecision {
  const code: ErrorCode = isCatalogueError(error) && errorSpec(error.code).action !== undefined ? error.code : 'INTERNAL';
  const spec = errorSpec(code);
  const details = isCatalogueError(error) ? error.details : undefined;
  return {
    code,
    action: spec.action ?? 'retry',
    reason: spec.reason ?? 'internal-error',
    message: (error as Error)?.message ?? String(error),
    printerCode: typeof details?.printerCode === 'string' ? details.printerCode : null,
  };
}

export type InFlightPolicy = 'reprint' | 'hold';

/** What the printer itself becomes after a failure. */
export type PrinterEffect = 'offline' | 'stalled' | 'idle';

/** The next state of a job whose attempt failed, and of its printer. */
export interface FailurePlan {
  to: JobState;
  change: TransitionChange;
  printer: PrinterEffect;
  /** How the worker goes on: wait for the printer, pause before the next job, or go on at once. */
  then: 'wait-for-printer' | 'pause' | 'next';
}

/**
 * The job action of the error, applied: stop-printer keeps the job pending (the printer is the
 * problem) — or holds it under `hold` when its bytes may have reached the printer; retry puts it
 * back until maxAttempts; hold, cancel and fail end where their names say.
 */
export function planFailure(
  decision: FailureDecision,
  job: { attempts: number; maxAttempts: number },
  sending: boolean,
  policy: InFlightPolicy,
  /** Bytes of the job were handed to the printer's connection before it failed. */
  bytesOut = false,
): FailurePlan {
  const error = { code: decision.code, message: decision.message };
  const base = { stateReason: decision.reason, error };
  switch (decision.action) {
    case 'stop-printer': {
      const printer: PrinterEffect = decision.code === 'PRINTER_STALLED' ? 'stalled' : 'offline';
      if (printer === 'stalled' && sending && policy === 'hold') return { to: 'held', change: base, printer, then: 'wait-for-printer' };
      // Under hold nothing may print twice: a job part of which reached the printer before the
      // connection broke (a reset mid-write) waits for a person, as a stalled one does.
      if (bytesOut && policy === 'hold') return { to: 'held', change: { ...base, stateReason: 'held-after-connection-loss' }, printer, then: 'wait-for-printer' };
      // Bytes of it may have reached the printer (a stalled printer may still print what it buffered):
      // sent again, it says so when it completes.
      const reason = bytesOut ? 'resent-after-connection-loss' : decision.reason;
      // The attempt the printer cut short does not count: an offline printer never uses up a job's attempts.
      return { to: 'pending', change: { ...base, stateReason: reason, attemptsDelta: -1 }, printer, then: 'wait-for-printer' };
    }
    case 'retry':
      if (job.attempts >= job.maxAttempts) return { to: 'aborted', change: { ...base, printerCode: decision.printerCode }, printer: 'idle', then: 'next' };
      return { to: 'pending', change: { ...base, printerCode: decision.printerCode }, printer: 'idle', then: 'pause' };
    case 'hold':
      return { to: 'held', change: { ...base, printerCode: decision.printerCode }, printer: 'idle', then: 'next' };
    case 'cancel':
      return { to: 'canceled', change: { ...base, printerCode: decision.printerCode }, printer: 'idle', then: 'next' };
    case 'fail':
      return { to: 'aborted', change: { ...base, printerCode: decision.printerCode }, printer: 'idle', then: 'next' };
  }
}

/**
 * Reasons after which the printer keeps the job it took and finishes it once a person has fixed
 * the printer (paper loaded, cover closed, pause released): the job waits as `processing` and is
 * completed then, never sent twice. Any other error (jam, cutter, mechanical) may have spoilt the
 * ticket: the job is `held` for a person to release (reprint) or cancel.
 */
export const RESUMABLE_REASONS: readonly string[] = ['media-empty', 'cover-open', 'paused', 'offline', 'marker-supply-empty', 'over-temperature'];

/** What a status answer right after a job's bytes says about that job. */
export type Confirmation =
  | { kind: 'completed'; stateReason: string | null; answered: boolean }
  | { kind: 'held'; stateReason: string; answered: true }
  /** The printer stopped with the job inside for a reason a person fixes: ask again until ready. */
  | { kind: 'wait'; reasons: string[] };

export const UNCONFIRMED: Confirmation = { kind: 'completed', stateReason: 'completed-unconfirmed', answered: false };

export function confirmationOf(check: StatusCheck): Confirmation {
  if (check.kind === 'ready') return { kind: 'completed', stateReason: null, answered: true };
  if (check.kind === 'silent') return UNCONFIRMED;
  if (check.blocking.every((reason) => RESUMABLE_REASONS.includes(reason))) return { kind: 'wait', reasons: check.blocking };
  // Held for what may have spoilt the ticket (a cutter error beside paper out is the reason to tell a person).
  return { kind: 'held', stateReason: check.blocking.find((reason) => !RESUMABLE_REASONS.includes(reason)) ?? 'printer-error', answered: true };
}

/** Reasons a job keeps when it completes after all: why it was sent more than once. */
const KEPT_REASONS = ['reprinted-after-restart', 'resent-after-connection-loss'];

/** The stateReason a job completes with: a reprint says so even when the printer confirmed it. */
export function completionReason(previous: string | null, confirmation: string | null): string | null {
  return confirmation === null && previous !== null && KEPT_REASONS.includes(previous) ? previous : confirmation;
}

/**
 * A job whose bytes all went out on a connection that then failed before the printer confirmed
 * it: it may have printed. Under `reprint` it is sent again and says so; under `hold` a person decides.
 */
export function planUncertain(policy: InFlightPolicy): { to: JobState; change: TransitionChange } {
  return policy === 'hold'
    ? { to: 'held', change: { stateReason: 'held-after-connection-loss' } }
    : { to: 'pending', change: { stateReason: 'resent-after-connection-loss', attemptsDelta: -1 } };
}

/**
 * A job found `processing` after a crash (of the gateway, or of a printer's loop): one whose
 * bytes may have reached the printer follows the policy (sent again and says so, or held for a
 * person); one that only waited in its batch goes back to the queue as it was. Under `reprint`, a
 * job that restarts already sent again `maxReprints` times is held too: it was on the wire at
 * restart after restart and never confirmed, and each resend may print. Only those resends count:
 * attempts that failed before a byte went out (a timeout, a refused connection) are not reprints.
 */
export function planRecovery(onTheWire: boolean, policy: InFlightPolicy, reprints = 0, maxReprints = Number.POSITIVE_INFINITY): { to: JobState; change: TransitionChange } {
  if (!onTheWire) return { to: 'pending', change: { attemptsDelta: -1, clearSent: true } };
  return policy === 'hold' || reprints >= maxReprints
    ? { to: 'held', change: { stateReason: 'held-after-restart' } }
    : { to: 'pending', change: { stateReason: 'reprinted-after-restart', clearSent: true, reprinted: true } };
}
