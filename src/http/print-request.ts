import type { Request, Response } from 'express';
import type { JobSource } from '../jobs/job-store.js';
import type { SubmitRequest } from '../jobs/jobs-service.js';
import type { Printer } from '../printers/printer-registry.js';
import { noteAcceptedJob } from './request-log.js';
import { callerKey } from './route-spec.js';

/** A print option from the query string; Star's prose names the job-name parameter `star`, its table `name`: both work. */
function starQuery(req: Request, name: string): unknown {
  const query = req.query as Record<string, unknown>;
  return name === 'name' && query.name === undefined ? query.star : query[name];
}

/** An HTTP print request (Star's POST …/q, the native POST …/jobs) as the jobs service takes it. */
export function printRequest(req: Request, res: Response, printer: Printer, source: JobSource): SubmitRequest {
  const declared = Number(req.headers['content-length']);
  return {
    printer,
    contentType: req.get('content-type') ?? '',
    contentEncoding: req.get('content-encoding'),
    declaredBytes: Number.isFinite(declared) ? declared : undefined,
    body: req,
    options: { header: (name) => req.get(name), query: (name) => starQuery(req, name) },
    keyId: callerKey(res).id,
    idempotencyKey: req.get('idempotency-key'),
    source,
    logAccepted: (fields) => noteAcceptedJob(res, fields),
  };
}
