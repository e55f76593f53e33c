import type { Request, Response } from 'express';
import type { KeyRecord } from '../keys/key-store.js';
import type { Permission } from '../keys/permissions.js';

/**
 * Who may call a route: anyone, anyone with a key checked when one is presented (the route answers
 * more to a key with the permissions it looks for), any valid key, or a key holding one permission.
 */
export type RouteAccess = { kind: 'public' } | { kind: 'optional-key' } | { kind: 'any-key' } | { kind: 'permission'; permission: Permission };

export const PUBLIC: RouteAccess = { kind: 'public' };
export const OPTIONAL_KEY: RouteAccess = { kind: 'optional-key' };
export const ANY_KEY: RouteAccess = { kind: 'any-key' };
export const needs = (permission: Permission): RouteAccess => ({ kind: 'permission', permission });

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/**
 * A route declares its access next to its path: mounting refuses a route without one, and the
 * route table is what tests, README and the OpenAPI document are checked against.
 */
export interface RouteSpec {
  method: HttpMethod;
  /** Express 5 path syntax: /v1/a/:group/d/:appId/q */
  path: string;
  access: RouteAccess;
  summary: string;
  /**
   * The largest body the route takes, in bytes: a Content-Length above it is 413 before the key is
   * looked at, and the body reader stops there. Default: JSON_BODY_LIMIT_BYTES (16 KiB).
   */
  maxBodyBytes?: number;
  /** The body is a document to print: up to limits.maxDocumentBytes, counted in limits.perKey.concurrentUploads. */
  document?: true;
  /** Taken by the fast lane before express (the print routes: every receipt comes this way). */
  hot?: true;
  handler: (req: Request, res: Response) => void | Promise<void>;
}

/** The authenticated key of the request (set by the auth middleware; absent on public routes). */
export function callerKey(res: Response): KeyRecord {
  const key = res.locals.key as KeyRecord | undefined;
  if (!key) throw new Error('callerKey() on a route without authentication');
  return key;
}

/** The key of a request on an OPTIONAL_KEY route, when one was presented (and valid). */
export function optionalCallerKey(res: Response): KeyRecord | null {
  return (res.locals.key as KeyRecord | undefined) ?? null;
}

export function requestId(res: Response): string {
  return String(res.locals.requestId ?? '');
}
