import { describe, expect, it } from 'vitest';
import { DriverError } from '../../../src/driver-api/index.js';
import { AppError } from '../../../src/errors/app-error.js';
import {
  completionReason,
  confirmationOf,
  decideFailure,
  planFailure,
  planRecovery,
  planUncertain,
  RESUMABLE_REASONS,
  UNCONFIRMED,
  type FailureDecision,
} from '../../../src/jobs/worker-decisions.js';

const fresh = { attempts: 1, maxAttempts: 3 };
const last = { attempts: 3, maxAttempts: 3 };

describe('decideFailure: the catalogue decides', () => {
  it('a driver error keeps its code, action, reason, message and the printer\'s own code', () => {
    const decision = decideFailure(new DriverError('PRINTER_REJECTED_JOB', '411 Paper jam', { details: { printerCode: '411 Paper jam' } }));
    expect(decision).toEqual({ code: 'PRINTER_REJECTED_JOB', action: 'fail', reason: 'printer-rejected-job', message: '411 Paper jam', printerCode: '411 Paper jam' });
  });

  it('a catalogue code without a job action (never a driver\'s) is INTERNAL, retried', () => {
    expect(decideFailure(new AppError('BAD_REQUEST', 'nonsense'))).toMatchObject({ code: 'INTERNAL', action: 'retry', reason: 'internal-error', message: 'nonsense' });
  });

  it('an error with no code (a bug) is INTERNAL with its message; a thrown string keeps its words', () => {
    expect(decideFailure(new TypeError('x is undefined'))).toEqual({ code: 'INTERNAL', action: 'retry', reason: 'internal-error', message: 'x is undefined', printerCode: null });
    expect(decideFailure('plain words').message).toBe('plain words');
  });

  it('a printerCode that is not a string is ignored', () => {
    expect(decideFailure(new DriverError('PRINTER_ERROR', 'x', { details: { printerCode: 411 } })).printerCode).toBeNull();
  });
});

describe('planFailure: every job action', () => {
  const decision = (code: FailureDecision['code'], action: FailureDecision['action'], reason: string): FailureDecision => ({ code, action, reason, message: `${code} happened`, printerCode: null });
  const unreachable = decision('PRINTER_UNREACHABLE', 'stop-printer', 'printer-offline');
  const stalled = decision('PRINTER_STALLED', 'stop-printer', 'stalled');

  it('stop-printer (unreachable): the job waits for the printer, its attempt not counted, under either policy, sending or not', () => {
    for (const policy of ['reprint', 'hold'] as const) {
      for (const sending of [true, false]) {
        expect(planFailure(unreachable, last, sending, policy)).toEqual({
          to: 'pending',
          change: { stateReason: 'printer-offline', error: { code: 'PRINTER_UNREACHABLE', message: 'PRINTER_UNREACHABLE happened' }, attemptsDelta: -1 },
          printer: 'offline',
          then: 'wait-for-printer',
        });
      }
    }
  });

  it('stop-printer (stalled): the printer is stalled; under hold a job that was being sent may have printed in part and is held', () => {
    expect(planFailure(stalled, fresh, true, 'hold')).toEqual({
      to: 'held',
      change: { stateReason: 'stalled', error: { code: 'PRINTER_STALLED', message: 'PRINTER_STALLED happened' } },
      printer: 'stalled',
      then: 'wait-for-printer',
    });
    expect(planFailure(stalled, fresh, false, 'hold')).toMatchObject({ to: 'pending', change: { attemptsDelta: -1 }, printer: 'stalled', then: 'wait-for-printer' });
    expect(planFailure(stalled, fresh, true, 'reprint')).toMatchObject({ to: 'pending', change: { stateReason: 'stalled', attemptsDelta: -1 }, printer: 'stalled' });
  });

  it('stop-printer after some of its bytes went out: sent again once the printer is back, and it says so', () => {
    for (const failure of [unreachable, stalled]) {
      expect(planFailure(failure, fresh, true, 'reprint', true)).toMatchObject({
        to: 'pending',
        change: { stateReason: 'resent-after-connection-loss', error: { code: failure.code }, attemptsDelta: -1 },
        then: 'wait-for-printer',
      });
    }
    // Under hold a stalled job is held, bytes out or not; one cut off by a reset after some of its bytes too.
    expect(planFailure(stalled, fresh, true, 'hold', true)).toMatchObject({ to: 'held', change: { stateReason: 'stalled' } });
    expect(planFailure(unreachable, fresh, true, 'hold', true)).toMatchObject({ to: 'held', change: { stateReason: 'held-after-connection-loss', error: { code: 'PRINTER_UNREACHABLE' } }, printer: 'offline' });
  });

  it('retry: back to the queue after a pause until maxAttempts, then aborted; the printer itself is fine', () => {
    const busy = { ...decision('PRINTER_BUSY', 'retry', 'printer-busy'), printerCode: '503 busy' };
    expect(planFailure(busy, fresh, true, 'reprint')).toEqual({
      to: 'pending',
      change: { stateReason: 'printer-busy', error: { code: 'PRINTER_BUSY', message: 'PRINTER_BUSY happened' }, printerCode: '503 busy' },
      printer: 'idle',
      then: 'pause',
    });
    expect(planFailure(busy, last, true, 'reprint')).toMatchObject({ to: 'aborted', change: { stateReason: 'printer-busy', printerCode: '503 busy' }, printer: 'idle', then: 'next' });
    expect(planFailure(busy, { attempts: 4, maxAttempts: 3 }, true, 'hold').to).toBe('aborted');
  });

  it('hold, cancel and fail end where their names say, and the worker goes on with the next job', () => {
    expect(planFailure(decision('PRINTER_ERROR', 'hold', 'printer-error'), fresh, true, 'reprint')).toMatchObject({ to: 'held', change: { stateReason: 'printer-error' }, printer: 'idle', then: 'next' });
    expect(planFailure(decision('PRINTER_ERROR', 'cancel', 'canceled-by-printer'), fresh, true, 'reprint')).toMatchObject({ to: 'canceled', change: { stateReason: 'canceled-by-printer' }, printer: 'idle', then: 'next' });
    expect(planFailure(decision('DOCUMENT_FORMAT_ERROR', 'fail', 'document-format-error'), fresh, true, 'hold')).toMatchObject({ to: 'aborted', change: { stateReason: 'document-format-error', error: { code: 'DOCUMENT_FORMAT_ERROR' } }, printer: 'idle', then: 'next' });
  });
});

describe('confirmationOf: a status answer right after the job', () => {
  it('a healthy answer confirms; a warning such as media-low is healthy', () => {
    expect(confirmationOf({ kind: 'ready', reasons: [] })).toEqual({ kind: 'completed', stateReason: null, answered: true });
    expect(confirmationOf({ kind: 'ready', reasons: ['media-low'] })).toEqual({ kind: 'completed', stateReason: null, answered: true });
  });

  it('no answer: completed, unconfirmed', () => {
    expect(confirmationOf({ kind: 'silent' })).toBe(UNCONFIRMED);
    expect(UNCONFIRMED).toEqual({ kind: 'completed', stateReason: 'completed-unconfirmed', answered: false });
  });

  it('stopped for reasons a person fixes without spoiling the ticket: wait, the printer keeps the job', () => {
    for (const reason of RESUMABLE_REASONS) {
      expect(confirmationOf({ kind: 'blocked', reasons: [reason], blocking: [reason] })).toEqual({ kind: 'wait', reasons: [reason] });
    }
    expect(confirmationOf({ kind: 'blocked', reasons: ['cover-open', 'media-empty'], blocking: ['cover-open', 'media-empty'] })).toEqual({ kind: 'wait', reasons: ['cover-open', 'media-empty'] });
  });

  it('any other stop may have spoilt the ticket: held, saying why', () => {
    expect(confirmationOf({ kind: 'blocked', reasons: ['cutter-error'], blocking: ['cutter-error'] })).toEqual({ kind: 'held', stateReason: 'cutter-error', answered: true });
    expect(confirmationOf({ kind: 'blocked', reasons: ['media-jam', 'media-low'], blocking: ['media-jam'] })).toEqual({ kind: 'held', stateReason: 'media-jam', answered: true });
  });

  it('paper out and a cutter error together: held for the cutter error, not for the paper', () => {
    expect(confirmationOf({ kind: 'blocked', reasons: ['media-empty', 'cutter-error'], blocking: ['media-empty', 'cutter-error'] })).toEqual({ kind: 'held', stateReason: 'cutter-error', answered: true });
  });
});

describe('completionReason', () => {
  it('a job sent more than once says so when it completes confirmed', () => {
    expect(completionReason('reprinted-after-restart', null)).toBe('reprinted-after-restart');
    expect(completionReason('resent-after-connection-loss', null)).toBe('resent-after-connection-loss');
  });

  it('other earlier reasons (why it waited) are dropped; an unconfirmed completion says it is unconfirmed', () => {
    expect(completionReason(null, null)).toBeNull();
    expect(completionReason('printer-offline', null)).toBeNull();
    expect(completionReason('media-empty', 'completed-unconfirmed')).toBe('completed-unconfirmed');
    expect(completionReason('reprinted-after-restart', 'completed-unconfirmed')).toBe('completed-unconfirmed');
  });
});

describe('planUncertain and planRecovery', () => {
  it('bytes all out on a connection that then failed: sent again and says so (its attempt not counted), or held under hold', () => {
    expect(planUncertain('reprint')).toEqual({ to: 'pending', change: { stateReason: 'resent-after-connection-loss', attemptsDelta: -1 } });
    expect(planUncertain('hold')).toEqual({ to: 'held', change: { stateReason: 'held-after-connection-loss' } });
  });

  it('after a crash: a job that only waited in its batch goes back as it was; one on the wire follows the policy', () => {
    for (const policy of ['reprint', 'hold'] as const) {
      expect(planRecovery(false, policy)).toEqual({ to: 'pending', change: { attemptsDelta: -1, clearSent: true } });
    }
    expect(planRecovery(true, 'reprint')).toEqual({ to: 'pending', change: { stateReason: 'reprinted-after-restart', clearSent: true, reprinted: true } });
    expect(planRecovery(true, 'hold')).toEqual({ to: 'held', change: { stateReason: 'held-after-restart' } });
    // Under reprint, jobs.maxReprints resends at most (two by default): counted by reprints, not attempts.
    expect(planRecovery(true, 'reprint', 1, 2)).toEqual({ to: 'pending', change: { stateReason: 'reprinted-after-restart', clearSent: true, reprinted: true } });
    expect(planRecovery(true, 'reprint', 2, 2)).toEqual({ to: 'held', change: { stateReason: 'held-after-restart' } });
    expect(planRecovery(true, 'reprint', 0, 0)).toEqual({ to: 'held', change: { stateReason: 'held-after-restart' } });
    expect(planRecovery(false, 'reprint', 3, 2).to).toBe('pending');
  });
});
