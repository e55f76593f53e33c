import type { Request } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { assertCanGrant, assertCanManage, canSeeKey } from '../../keys/key-policy.js';
import type { KeyRecord, KeyStore } from '../../keys/key-store.js';
import { keyView } from '../../keys/key-view.js';
import { normalizePermissions } from '../../keys/permissions.js';
import { readJsonBody } from '../json-body.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';
import type { EventStream } from './event-stream.js';


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

function permissionsOf(names: readonly string[]) {
  const { permissions, unknown } = normalizePermissions(names);
  if (unknown.length > 0) {
    throw new AppError('BAD_REQUEST', `permissions: unknown permission(s) ${unknown.join(', ')}`, { details: { field: 'permissions' } });
  }
  return permissions;
}

/** The key named in the path, as far as the caller may see it (else 404, no existence leak). */
function targetKey(keys: KeyStore, req: Request, caller: KeyRecord): KeyRecord {
  const id = String(req.params.id);
  const target = keys.get(id);
  if (!target || !canSeeKey(caller, target)) throw new AppError('NOT_FOUND', `no key ${id.slice(0, 64)}`);
  return target;
}

export interface KeyRoutesDeps {
  keys: KeyStore;
  /** Open event streams re-check their key when one changes. */
  stream: EventStream;
  log: Logger;
  now: () => Date;
  /** Resolves once the change is on stable storage: a revocation is answered only then. */
  durable: () => Promise<void>;
}

/** GET/POST /api/v1/keys, GET/PATCH/DELETE /api/v1/keys/{id}: the key lifecycle over HTTP (ManageKeys). */
export function keyRoutes({ keys, stream, log, now, durable }: KeyRoutesDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/api/v1/keys',
      access: needs('ManageKeys'),
      summary: 'Keys without secrets: id, name, hint (prefix + last 4), permissions, groups, state, source, dates',
      handler: (_req, res) => {
        const caller = callerKey(res);
        const at = now();
        res.json({ data: keys.list().filter((key) => canSeeKey(caller, key)).map((key) => keyView(key, at)) });
      },
    },
    {
      method: 'post',
      path: '/api/v1/keys',
      access: needs('ManageKeys'),
      summary: 'Create a key; the answer holds the key, once',
      handler: async (req, res) => {
        const caller = callerKey(res);
        const body = await readJsonBody(req, res, createBody);
        const groups = body.groups ?? [];
        assertCanGrant(caller, permissionsOf(body.permissions), groups);
        const { record, key } = keys.create({
          name: body.name,
          description: body.description,
          permissions: body.permissions,
          groups,
          expiresAt: body.expires ?? null,
        });
        await durable();
        log.info({ keyId: record.id, by: caller.id }, 'key created');
        res.setHeader('Location', `/api/v1/keys/${record.id}`);
        res.setHeader('Cache-Control', 'no-store');
        res.status(201).json({ ...keyView(record, now()), key });
      },
    },
    {
      method: 'get',
      path: '/api/v1/keys/:id',
      access: needs('ManageKeys'),
      summary: 'One key, without its secret',
      handler: (req, res) => {
        res.json(keyView(targetKey(keys, req, callerKey(res)), now()));
      },
    },
    {
      method: 'patch',
      path: '/api/v1/keys/:id',
      access: needs('ManageKeys'),
      summary: 'Edit name, description, permissions, groups, expires; disabled true/false switches it off and on',
      handler: async (req, res) => {
        const caller = callerKey(res);
        const body = await readJsonBody(req, res, editBody);
        if (Object.keys(body).length === 0) {
          throw new AppError('BAD_REQUEST', 'give at least one of name, description, permissions, groups, expires, disabled', { details: { field: '(body)' } });
        }
        const target = targetKey(keys, req, caller);
        assertCanManage(caller, target);
        assertCanGrant(caller, body.permissions ? permissionsOf(body.permissions) : target.permissions, body.groups ?? target.groups);
        const record = keys.edit(target.id, {
          name: body.name,
          description: body.description,
          permissions: body.permissions,
          groups: body.groups,
          expiresAt: body.expires,
          disabled: body.disabled,
        });
        stream.recheckKeys();
        await durable();
        log.info({ keyId: record.id, by: caller.id, fields: Object.keys(body) }, 'key edited');
        res.json(keyView(record, now()));
      },
    },
    {
      method: 'delete',
      path: '/api/v1/keys/:id',
      access: needs('ManageKeys'),
      summary: 'Revoke a key: permanent, effective on its next request',
      handler: async (req, res) => {
        const caller = callerKey(res);
        const target = targetKey(keys, req, caller);
        assertCanManage(caller, target);
        const record = keys.revoke(target.id);
        stream.recheckKeys(); // its open event streams close now
        await durable();
        log.info({ keyId: record.id, by: caller.id }, 'key revoked');
        res.json(keyView(record, now()));
      },
    },
  ];
}
