import type { Request, Response } from 'express';
import { AppError } from '../../errors/app-error.js';
import { IDEMPOTENCY_WINDOW_MS, type SubmitResult } from '../../jobs/job-service.js';
import { parsePrintOptions } from '../../jobs/print-options.js';
import { canSeeGroup } from '../../keys/authenticator.js';
import type { Printer } from '../../printers/printer-registry.js';
import { mediaType } from '../content-type.js';
import type { HttpContext } from '../http-context.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';
import { FirstAnswerMemo } from './first-answer-memo.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;

/** Finds the device of a Star path, hiding groups the key may not see (404, not 403). */
export function starDevice(ctx: HttpContext, req: Request, res: Response): Printer {
  const group = String(req.params.group);
  const appId = String(req.params.appId);
  const key = callerKey(res);
  if (!canSeeGroup(key, group) || !ctx.groups.get(group)) throw new AppError('NOT_FOUND', `no device group "${group.slice(0, 64)}"`);
  const printer = ctx.registry.findByAppId(group, appId);
  if (!printer) throw new AppError('NOT_FOUND', `no device "${appId.slice(0, 64)}" in group "${group}"`);
  return printer;
}

/** A print option from the query string; Star's prose names the job-name parameter `star`, its table `name`: both work. */
function starQuery(req: Request, name: string): unknown {
  const query = req.query as Record<string, unknown>;
  return name === 'name' && query.name === undefined ? query.star : query[name];
}

/** Star's print queue: POST …/q queues a document. */
export function starPrintRoutes(ctx: HttpContext): RouteSpec[] {
  const firstAnswers = new FirstAnswerMemo({ now: ctx.now, windowMs: IDEMPOTENCY_WINDOW_MS });
  return [
    {
      method: 'post',
      path: '/v1/a/:group/d/:appId/q',
      access: needs('PrintToDevice'),
      summary: 'Print a document (Star-compatible); answers 201 {JobId, QueuedJobs}',
      handler: async (req, res) => {
        const printer = starDevice(ctx, req, res);
        const result = await acceptPrint(ctx, printer, req, res);
        res.setHeader('Location', `/api/v1/jobs/${result.job.id}`);
        let answer: Record<string, unknown> = { JobId: result.job.id, QueuedJobs: result.queuedJobs };
        if (result.replayed) {
          res.setHeader('Idempotent-Replayed', 'true');
          answer = firstAnswers.recall(result.job.id) ?? answer;
        } else if (req.get('idempotency-key') !== undefined) {
          firstAnswers.remember(result.job.id, answer);
        }
        res.status(201).json(answer);
      },
    },
  ];
}

/**
 * The print logic shared by Star's POST …/q and the native POST /api/v1/printers/{id}/jobs:
 * Content-Type, size, options (header or query), Idempotency-Key, then the durable submit.
 */
export async function acceptPrint(ctx: HttpContext, printer: Printer, req: Request, res: Response): Promise<SubmitResult> {
  const language = ctx.languageFor(printer);
  const contentType = mediaType(req);
  if (!language.acceptedTypes.includes(contentType)) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Type "${contentType || '(none)'}" cannot be printed on ${printer.id} (${printer.language}). Accepted: ${language.acceptedTypes.join(', ')}.`,
      { details: { accepted: language.acceptedTypes } },
    );
  }
  const encoding = (req.get('content-encoding') ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'identity') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding "${encoding.slice(0, 40)}" is not supported: send the document uncompressed.`, {
      details: { field: 'Content-Encoding', accepted: language.acceptedTypes },
    });
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > ctx.config.limits.maxDocumentBytes) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The document is ${declared} bytes; limits.maxDocumentBytes is ${ctx.config.limits.maxDocumentBytes}.`);
  }
  const group = ctx.groups.get(printer.groupPath);
  const options = parsePrintOptions(
    { header: (name) => req.get(name), query: (name) => starQuery(req, name) },
    { copies: group?.copies ?? 1, preBuzzer: group?.autoBuzzBefore ?? 0, postBuzzer: group?.autoBuzzAfter ?? 0 },
  );
  const idempotencyKey = req.get('idempotency-key');
  if (idempotencyKey !== undefined && !IDEMPOTENCY_KEY.test(idempotencyKey)) {
    throw new AppError('BAD_REQUEST', 'Idempotency-Key must be 1 to 200 visible ASCII characters', { details: { field: 'Idempotency-Key' } });
  }
  return ctx.jobService.submit({
    printer,
    contentType,
    body: req,
    options,
    keyId: callerKey(res).id,
    idempotencyKey,
  });
}
