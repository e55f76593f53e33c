import express, { type Request, type Response } from 'express';
import type { z } from 'zod';
import { AppError } from '../errors/app-error.js';

/** JSON bodies are small: settings, key edits, webhook targets, CloudPRNT polls. */
export const JSON_BODY_LIMIT_BYTES = 16 * 1024;

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

const parsers = new Map<number, express.RequestHandler>();
function parserFor(limit: number): express.RequestHandler {
  let parser = parsers.get(limit);
  if (!parser) {
    // The size is checked against Content-Length before a byte is read, and again while reading.
    parser = express.json({ limit, strict: true, type: () => true });
    parsers.set(limit, parser);
  }
  return parser;
}

/** The keys a strict zod object accepts, for the message naming an unknown one. */
function acceptedFields(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/**
 * The one JSON body reader: no body is `{}`, a non-JSON media type is 415, over `limit` is 413,
 * then the schema. A problem is 400 BAD_REQUEST with `details.field` naming the field (and
 * `details.fields` every unknown one).
 */
export async function readJsonBody<T extends z.ZodType>(req: Request, res: Response, schema: T, limit = JSON_BODY_LIMIT_BYTES): Promise<z.infer<T>> {
  let body: unknown = {};
  if (hasBody(req)) {
    if (!jsonLike(req)) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.', { details: { field: 'Content-Type', accepted: ['application/json'] } });
    }
    await new Promise<void>((resolve, reject) => {
      void parserFor(limit)(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
    });
    body = req.body ?? {};
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
