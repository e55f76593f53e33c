import { AppError } from '../errors/app-error.js';
import type { ConcurrencyLimiter } from '../keys/concurrency-limiter.js';
import { callerKey, type RouteSpec } from './route-spec.js';

export interface DocumentUploadsDeps {
  /** limits.maxDocumentBytes */
  maxDocumentBytes: number;
  /** limits.perKey.concurrentUploads, per key. */
  uploads: ConcurrencyLimiter;
  /** Counts a refusal (metrics). */
  onRefused?: (code: 'TOO_MANY_UPLOADS') => void;
}

/** Seconds a key at its upload cap is told to wait: a receipt uploads in well under one. */
const RETRY_AFTER_SECONDS = 1;

/**
 * The routes that take a document (`document: true`): their body limit is limits.maxDocumentBytes
 * (413 from Content-Length before the key is looked at), and a key may upload at most
 * limits.perKey.concurrentUploads at once — the next is 429 TOO_MANY_UPLOADS before a byte of its
 * body is read, so slow uploads cannot pile up sockets and spool files. A document whose body is in
 * no longer counts while its 201 waits for the disk: ten receipts in flight from one POS are not uploads.
 */
export function withDocumentLimits(routes: readonly RouteSpec[], deps: DocumentUploadsDeps): RouteSpec[] {
  return routes.map((route) => {
    if (!route.document) return route;
    return {
      ...route,
      maxBodyBytes: deps.maxDocumentBytes,
      handler: async (req, res) => {
        const answer = deps.uploads.tryAcquire(callerKey(res).id);
        if (!answer.ok) {
          deps.onRefused?.('TOO_MANY_UPLOADS');
          throw new AppError('TOO_MANY_UPLOADS', undefined, { headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) } });
        }
        // The slot is for the upload, not the answer: it is free once the body is in (the 201 still
        // waits for the group commit), or when a client goes away mid-upload before the spool notices.
        if (req.readableEnded) answer.slot.release();
        else req.once('end', answer.slot.release);
        res.once('close', answer.slot.release);
        try {
          await route.handler(req, res);
        } finally {
          answer.slot.release();
        }
      },
    };
  });
}
