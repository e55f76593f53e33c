import type { Request, Response } from 'express';
import type { z } from 'zod';
import { AppError } from '../errors/app-error.js';
import { routeBodyLimit } from './body-limit.js';

/**
 * Media types a JSON body may be declared as. Star's clients and printers are not all careful: no
 * Content-Type and text/plain are read as JSON too; a form, multipart or binary body is refused.
 */
function jsonLike(req: Request): boolean {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  return type === '' || type === 'application/json' || type === 'text/plain' || /^application\/[a-z0-9.+-]+\+json$/.test(type);
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/**
 * Reads at most `limit` bytes of the body: past it, 413 at once — the rest is not read (the
 * answer hangs up, see hangUpOnUnreadBody), unlike body-parser, which drains a body to its end
 * before it answers.
 */
function readBytes(req: Request, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (error: AppError | null): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('aborted', onAborted);
      req.off('error', onAborted);
      req.pause();
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) stop(new AppError('PAYLOAD_TOO_LARGE', `The JSON body is larger than ${limit} bytes, the limit of this route.`, { details: { limit } }));
      else chunks.push(chunk);
    };
    const onEnd = (): void => stop(null);
    const onAborted = (): void => stop(new AppError('BAD_REQUEST', 'The client aborted the request.'));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('aborted', onAborted);
    req.once('error', onAborted);
  });
}

/** Parses a JSON object or array (strict, as RFC 8259 texts a client means as a body), UTF-8 only. */
function parseJson(req: Request, bytes: Buffer): unknown {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(req.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `charset "${charset.slice(0, 40)}" is not supported for JSON: send UTF-8.`, { details: { field: 'Content-Type', accepted: ['application/json'] } });
  }
  const text = bytes.toString('utf8').replace(/^\uFEFF/, '');
  const first = /\S/.exec(text)?.[0];
  if (first === undefined) return {};
  if (first !== '{' && first !== '[') throw new AppError('BAD_REQUEST', 'The body is not valid JSON: it must be a JSON object.');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError('BAD_REQUEST', `The body is not valid JSON: ${(error as Error).message.slice(0, 200)}`);
  }
}

/** The keys a strict zod object accepts, for the message naming an unknown one. */
function acceptedFields(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/**
 * The one JSON body reader: no body is `{}`, a non-JSON media type is 415, over `limit` (the
 * route's maxBodyBytes, 16 KiB unless it says otherwise) is 413 — from Content-Length before a byte
 * is read, and while a chunked body streams —
 * then the schema. A problem is 400 BAD_REQUEST with `details.field` naming the field (and
 * `details.fields` every unknown one).
 */
export async function readJsonBody<T extends z.ZodType>(req: Request, res: Response, schema: T, limit = routeBodyLimit(res)): Promise<z.infer<T>> {
  let body: unknown = {};
  if (hasBody(req)) {
    if (!jsonLike(req)) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.', { details: { field: 'Content-Type', accepted: ['application/json'] } });
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (encoding !== 'identity') {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding "${encoding.slice(0, 40)}" is not supported: send the JSON body as it is.`, { details: { field: 'Content-Encoding' } });
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) throw new AppError('PAYLOAD_TOO_LARGE', `The JSON body is ${declared} bytes; this route takes at most ${limit}.`, { details: { limit } });
    body = parseJson(req, await readBytes(req, limit));
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new AppError('BAD_REQUEST', 'The body is not valid.', { details: { field: '(body)' } });
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const unknown = issue.keys.map((name) => [field, name].filter(Boolean).join('.'));
    const names = unknown.map((name) => `"${name.slice(0, 64)}"`).join(', ');
    throw new AppError('BAD_REQUEST', `unknown field${unknown.length > 1 ? 's' : ''} ${names} (accepted: ${acceptedFields(schema).join(', ')})`, {
      details: { field: unknown[0] ?? '(body)', fields: unknown },
    });
  }
  const message = field === '' ? `the body must be a JSON object: ${issue.message}` : `${field}: ${issue.message}`;
  throw new AppError('BAD_REQUEST', message, { details: { field: field || '(body)' } });
}
