import express, { type Request, type Response } from 'express';
import type { z } from 'zod';
import { AppError } from '../../errors/app-error.js';

/** Small JSON bodies only, on the routes that want one (never global: the print route streams its body). */
const parseJson = express.json({ limit: '64kb', strict: true, type: () => true });

/** Reads the JSON body (no body = {}), then validates it; problems are 400 BAD_REQUEST naming the field. */
export async function readJsonBody<T extends z.ZodType>(req: Request, res: Response, schema: T): Promise<z.infer<T>> {
  await new Promise<void>((resolve, reject) => {
    parseJson(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
  });
  const body: unknown = req.body ?? {};
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new AppError('BAD_REQUEST', 'The body is not valid.');
  const field = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const unknown = issue.keys.map((name) => [field, name].filter(Boolean).join('.'));
    const names = unknown.map((name) => `"${name.slice(0, 64)}"`).join(', ');
    throw new AppError('BAD_REQUEST', `unknown field${unknown.length > 1 ? 's' : ''} ${names} (accepted: ${acceptedFields(schema).join(', ')})`, {
      details: { field: unknown[0] ?? null, fields: unknown },
    });
  }
  const message = field === '' ? `the body must be a JSON object: ${issue.message}` : `${field}: ${issue.message}`;
  throw new AppError('BAD_REQUEST', message, { details: { field: field || null } });
}

function acceptedFields(schema: z.ZodType): string[] {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}
