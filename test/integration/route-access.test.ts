import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, type Permission } from '../../src/keys/permissions.js';
import type { RouteSpec } from '../../src/http/route-spec.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

/**
 * Every route the gateway serves is checked here, from the live route table: a route added later
 * without the right access declaration fails this test instead of opening silently.
 */

/**
 * The only routes anyone may call without a key (the OpenAPI document describes routes and holds
 * nothing secret; /healthz tells only ok/degraded without a key holding ViewStatus). /metrics is
 * not among them: it needs ViewStatus unless metrics.requireKey is false.
 */
const PUBLIC_ALLOW_LIST = new Set([
  'GET /healthz',
  'GET /api/v1/openapi.json',
  // The status page's own files (HTML, script, style sheet): no data in them; the data routes need ViewStatus.
  'GET /',
  'GET /status/:file',
  // Star CloudPRNT: a printer cannot send an API key. It is identified by its MAC and answered only
  // if configured (cloudprnt:<mac>) in that group or if the group auto-creates queues; it can only
  // fetch and close the job offered to it (random per-job token) and can create no job
  // (test/integration/cloudprnt.test.ts).
  'POST /cloudprnt/:group',
  'GET /cloudprnt/:group',
  'DELETE /cloudprnt/:group',
]);
const AUTH_CODES = new Set(['UNAUTHORIZED', 'TOKEN_INVALID', 'TOKEN_REVOKED', 'TOKEN_EXPIRED', 'TOKEN_DISABLED', 'INSUFFICIENT_SCOPE', 'AUTH_THROTTLED']);

const label = (route: RouteSpec): string => `${route.method.toUpperCase()} ${route.path}`;
/** PUBLIC, and OPTIONAL_KEY (a key is checked only when one is presented). */
const answersWithoutKey = (route: RouteSpec): boolean => route.access.kind === 'public' || route.access.kind === 'optional-key';

/** Express path → a concrete URL with dummy values for the parameters. */
function concrete(path: string): string {
  return path.replace(/\{([^}]*)\}/g, '$1').replace(/[:*]([A-Za-z0-9_]+)/g, (_m, name: string) => `dummy-${name.toLowerCase()}`);
}

async function hit(base: string, route: RouteSpec, key?: string): Promise<{ status: number; code: string | undefined }> {
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  if (key) headers.authorization = `Bearer ${key}`;
  const method = route.method.toUpperCase();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  try {
    const response = await fetch(base + concrete(route.path), {
      method,
      headers,
      body: method === 'GET' || method === 'DELETE' ? undefined : '{}',
      signal: controller.signal,
    });
    // Event streams stay open: the status line and headers are the answer.
    const type = response.headers.get('content-type') ?? '';
    let code: string | undefined;
    if (type.startsWith('application/json')) code = ((await response.json()) as { error?: { code?: string } }).error?.code;
    else await response.body?.cancel();
    return { status: response.status, code };
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

describe('route access', () => {
  let gw: TestGateway;
  let routes: RouteSpec[];
  beforeAll(async () => {
    gw = await startTestGateway({ limits: { perKey: { ratePerSecond: 10_000, burst: 10_000 }, authFailures: { maxFailures: 100_000 } } });
    routes = gw.gateway.routes;
  });
  afterAll(async () => gw.stop());

  it('declares an access for every route, and PUBLIC is exactly the allow-list', () => {
    expect(routes.length).toBeGreaterThan(5);
    for (const route of routes) expect(['public', 'optional-key', 'any-key', 'permission'], label(route)).toContain(route.access?.kind);
    const publicRoutes = routes.filter(answersWithoutKey).map(label);
    expect(publicRoutes.filter((name) => !PUBLIC_ALLOW_LIST.has(name))).toEqual([]);
    expect(publicRoutes).toContain('GET /healthz');
    for (const route of routes) {
      if (route.access.kind === 'permission') expect(ALL_PERMISSIONS, label(route)).toContain(route.access.permission);
    }
  });

  it('mounts nothing on the express app that is not in the route table', () => {
    // The server's listener is the HTTP edge (Host and Origin checks); the express app is behind it.
    // (The app is the print routes' fast lane in front of express, which mounts every route.)
    const listener = gw.gateway.server.listeners('request')[0] as unknown as { app?: { express?: unknown } };
    const app = (listener.app?.express ?? listener.app ?? listener) as { router?: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] } };
    const mounted = (app.router?.stack ?? [])
      .filter((layer) => layer.route)
      .flatMap((layer) => Object.keys(layer.route!.methods).map((method) => `${method.toUpperCase()} ${layer.route!.path}`));
    expect(mounted.length).toBeGreaterThan(0);
    expect(mounted.filter((name) => name !== '_ALL' && !routes.some((route) => label(route) === name)).sort()).toEqual([]);
  });

  it('answers public routes without a key', async () => {
    for (const route of routes.filter(answersWithoutKey)) {
      const answer = await hit(gw.url, route);
      expect(AUTH_CODES.has(answer.code ?? ''), label(route)).toBe(false);
      expect(answer.status, label(route)).toBeLessThan(500);
    }
  });

  it('answers 401 UNAUTHORIZED without a key on every other route', async () => {
    for (const route of routes.filter((r) => !answersWithoutKey(r))) {
      expect(await hit(gw.url, route), label(route)).toEqual({ status: 401, code: 'UNAUTHORIZED' });
    }
  });

  it('checks a key presented to an OPTIONAL_KEY route like anywhere else', async () => {
    const optional = routes.filter((r) => r.access.kind === 'optional-key');
    expect(optional.map(label)).toContain('GET /healthz');
    for (const route of optional) {
      expect(await hit(gw.url, route, `pgk_live_${'0'.repeat(64)}`), label(route)).toEqual({ status: 401, code: 'TOKEN_INVALID' });
    }
  });

  it('answers 403 INSUFFICIENT_SCOPE with a key lacking the permission, and passes auth with it', async () => {
    const protectedRoutes = routes.filter((r): r is RouteSpec & { access: { kind: 'permission'; permission: Permission } } => r.access.kind === 'permission');
    expect(protectedRoutes.length).toBeGreaterThan(0);
    for (const route of protectedRoutes) {
      const needed = route.access.permission;
      const without = gw.createKey(ALL_PERMISSIONS.filter((p) => p !== needed));
      expect(await hit(gw.url, route, without.key), `${label(route)} without ${needed}`).toEqual({ status: 403, code: 'INSUFFICIENT_SCOPE' });
      const only = gw.createKey([needed]);
      const answer = await hit(gw.url, route, only.key);
      // The dummy resource may well be 404, 400 or 415 — but only after auth passed.
      expect(AUTH_CODES.has(answer.code ?? ''), `${label(route)} with ${needed}: ${answer.status} ${answer.code}`).toBe(false);
      expect(answer.status, label(route)).toBeLessThan(500);
    }
  });

  it('lets any valid key through ANY_KEY routes, even one without permissions', async () => {
    const bare = gw.createKey([]);
    for (const route of routes.filter((r) => r.access.kind === 'any-key')) {
      const answer = await hit(gw.url, route, bare.key);
      expect(AUTH_CODES.has(answer.code ?? ''), label(route)).toBe(false);
      expect(answer.status, label(route)).toBeLessThan(500);
    }
  });
});
