import express, { type Request, type Response } from 'express';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { assertCanGrant, assertCanManage, canSeeKey } from '../../keys/key-policy.js';
import type { KeyRecord } from '../../keys/key-store.js';
import { keyView } from '../../keys/key-view.js';
import { normalizePermissions } from '../../keys/permissions.js';
import type { HttpContext } from '../http-context.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';

/** Bodies of the key API are small; the parser runs on these routes only, after authentication. */
const BODY_LIMIT = '16kb';

const expires = z.iso.datetime({ offset: true }).nullable();
const stringList = (max: number) => z.array(z.string().min(1).max(100)).max(max);

const createBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(500).optional(),
  permissions: stringList(50).min(1),
  groups: stringList(100).optional(),
  expires: expires.optional(),
});

const editBody = z.strictObject({
  name: z.string().trim().min(1).max(100).optional(),
  description: z.string().max(500).optional(),
  permissions: stringList(50).min(1).optional(),
  groups: stringList(100).optional(),
  expires: expires.optional(),
  disabled: z.boolean().optional(),
});

/** The first problem of a body, naming the field: 400 BAD_REQUEST. */
function validate<T>(schema: z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.') || '(body)';
  const message = issue.code === 'unrecognized_keys' ? `unknown field(s): ${field}` : `${field}: ${issue.message}`;
  throw new AppError('BAD_REQUEST', message, { details: { field } });
}

function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** Parses a JSON body with a size limit; no body is `{}`, another media type is 415. */
async function jsonBody(parser: express.RequestHandler, req: Request, res: Response): Promise<unknown> {
  if (!hasBody(req)) return {};
  if (!req.is('application/json')) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
  }
  await new Promise<void>((resolve, reject) => {
    void parser(req, res, (error?: unknown) => (error ? reject(error) : resolve()));
  });
  return req.body as unknown;
}

function permissionsOf(names: readonly string[]) {
  const { permissions, unknown } = normalizePermissions(names);
  if (unknown.length > 0) {
    throw new AppError('BAD_REQUEST', `permissions: unknown permission(s) ${unknown.join(', ')}`, { details: { field: 'permissions' } });
  }
  return permissions;
}

/** The key named in the path, as far as the caller may see it (else 404, no existence leak). */
function targetKey(ctx: HttpContext, req: Request, caller: KeyRecord): KeyRecord {
  const id = String(req.params.id);
  const target = ctx.keys.get(id);
  if (!target || !canSeeKey(caller, target)) throw new AppError('NOT_FOUND', `no key ${id.slice(0, 64)}`);
  return target;
}

/** GET/POST /api/v1/keys, GET/PATCH/DELETE /api/v1/keys/{id}: the key lifecycle over HTTP (ManageKeys). */
export function keyRoutes(ctx: HttpContext): RouteSpec[] {
  const parser = express.json({ limit: BODY_LIMIT, strict: true, type: 'application/json' });
  return [
    {
      method: 'get',
      path: '/api/v1/keys',
      access: needs('ManageKeys'),
      summary: 'Keys without secrets: id, name, hint (prefix + last 4), permissions, groups, state, source, dates',
      handler: (_req, res) => {
        const caller = callerKey(res);
        const now = ctx.now();
        res.json({ data: ctx.keys.list().filter((key) => canSeeKey(caller, key)).map((key) => keyView(key, now)) });
      },
    },
    {
      method: 'post',
      path: '/api/v1/keys',
      access: needs('ManageKeys'),
      summary: 'Create a key; the answer holds the key, once',
      handler: async (req, res) => {
        const caller = callerKey(res);
        const body = validate(createBody, await jsonBody(parser, req, res));
        const groups = body.groups ?? [];
        assertCanGrant(caller, permissionsOf(body.permissions), groups);
        const { record, key } = ctx.keys.create({
          name: body.name,
          description: body.description,
          permissions: body.permissions,
          groups,
          expiresAt: body.expires ?? null,
        });
        ctx.log.info({ keyId: record.id, by: caller.id }, 'key created');
        res.setHeader('Location', `/api/v1/keys/${record.id}`);
        res.setHeader('Cache-Control', 'no-store');
        res.status(201).json({ ...keyView(record, ctx.now()), key });
      },
    },
    {
      method: 'get',
      path: '/api/v1/keys/:id',
      access: needs('ManageKeys'),
      summary: 'One key, without its secret',
      handler: (req, res) => {
        res.json(keyView(targetKey(ctx, req, callerKey(res)), ctx.now()));
      },
    },
    {
      method: 'patch',
      path: '/api/v1/keys/:id',
      access: needs('ManageKeys'),
      summary: 'Edit name, description, permissions, groups, expires; disabled true/false switches it off and on',
      handler: async (req, res) => {
        const caller = callerKey(res);
        const body = validate(editBody, await jsonBody(parser, req, res));
        if (Object.keys(body).length === 0) {
          throw new AppError('BAD_REQUEST', 'give at least one of name, description, permissions, groups, expires, disabled', { details: { field: '(body)' } });
        }
        const target = targetKey(ctx, req, caller);
        assertCanManage(caller, target);
        assertCanGrant(caller, body.permissions ? permissionsOf(body.permissions) : target.permissions, body.groups ?? target.groups);
        const record = ctx.keys.edit(target.id, {
          name: body.name,
          description: body.description,
          permissions: body.permissions,
          groups: body.groups,
          expiresAt: body.expires,
          disabled: body.disabled,
        });
        ctx.eventStream.recheckKeys();
        ctx.log.info({ keyId: record.id, by: caller.id, fields: Object.keys(body) }, 'key edited');
        res.json(keyView(record, ctx.now()));
      },
    },
    {
      method: 'delete',
      path: '/api/v1/keys/:id',
      access: needs('ManageKeys'),
      summary: 'Revoke a key: permanent, effective on its next request',
      handler: (req, res) => {
        const caller = callerKey(res);
        const target = targetKey(ctx, req, caller);
        assertCanManage(caller, target);
        const record = ctx.keys.revoke(target.id);
        ctx.eventStream.recheckKeys(); // its open event streams close now
        ctx.log.info({ keyId: record.id, by: caller.id }, 'key revoked');
        res.json(keyView(record, ctx.now()));
      },
    },
  ];
}
