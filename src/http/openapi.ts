import { SCHEMAS } from './openapi-schemas.js';
import { PUBLIC, type RouteSpec } from './route-spec.js';

type Schema = Record<string, unknown>;

/** How one route is documented beyond its RouteSpec (summary and access come from the route itself). */
export interface OperationDoc {
  tag: 'Star' | 'Native' | 'CloudPRNT';
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** A component schema name for a JSON body, or 'document' for a print body. */
  body?: string;
  /** Success status → component schema name, 'empty', 'text', 'sse' or 'ids'. */
  responses: Record<string, string>;
  /** Error statuses this route documents beyond 400/401/403/429/500. */
  errors?: number[];
}

const PRINT_OPTIONS: Record<string, string> = {
  name: 'job name (header Star-Job-Name)',
  star: 'job name, the alias Star\'s prose uses for name',
  copies: '1-10; default the group Copies (header Star-Copies)',
  startbuzzer: '0-3 (header Star-Pre-Buzzer)',
  endbuzzer: '0-3 (header Star-Post-Buzzer)',
  drawer: 'none | start | end (header Star-Cash-Drawer)',
};
const PRINT_HEADERS = { 'Idempotency-Key': 'a retry within 24 h returns the first answer and prints nothing new' };

/** Every documented operation, keyed "METHOD /openapi/{path}". A route missing here fails test/integration/openapi.test.ts. */
export const OPERATIONS: Readonly<Record<string, OperationDoc>> = {
  'GET /v1/a': { tag: 'Star', responses: { 200: 'Group[]' } },
  'POST /v1/a': { tag: 'Star', body: 'GroupCreate', responses: { 201: 'GroupDetail' }, errors: [409] },
  'GET /v1/a/{group}': { tag: 'Star', responses: { 200: 'GroupDetail' }, errors: [404] },
  'PUT /v1/a/{group}': { tag: 'Star', body: 'GroupUpdate', responses: { 200: 'empty' }, errors: [404] },
  'DELETE /v1/a/{group}': { tag: 'Star', responses: { 200: 'empty' }, errors: [404, 409] },
  'GET /v1/a/{group}/d': { tag: 'Star', responses: { 200: 'Device[]' }, errors: [404] },
  'GET /v1/a/{group}/d/{appId}': { tag: 'Star', responses: { 200: 'Device' }, errors: [404] },
  'PUT /v1/a/{group}/d/{appId}': { tag: 'Star', body: 'DeviceUpdate', responses: { 200: 'empty' }, errors: [404, 409] },
  'DELETE /v1/a/{group}/d/{appId}': { tag: 'Star', responses: { 200: 'empty' }, errors: [404] },
  'POST /v1/a/{group}/d/{appId}/q': {
    tag: 'Star',
    body: 'document',
    query: PRINT_OPTIONS,
    headers: PRINT_HEADERS,
    responses: { 201: 'PrintResult' },
    errors: [404, 409, 413, 415],
  },
  'DELETE /v1/a/{group}/d/{appId}/q': { tag: 'Star', responses: { 200: 'ids' }, errors: [404] },
  'PUT /v1/a/{group}/d/{appId}/welcome': { tag: 'Star', responses: { 200: 'empty' }, errors: [404] },
  'GET /v1/a/{group}/n': { tag: 'Star', responses: { 200: 'NotificationTarget[]' }, errors: [404] },
  'POST /v1/a/{group}/n': { tag: 'Star', body: 'NotificationTargetInput', responses: { 201: 'NotificationTarget' }, errors: [404] },
  'GET /v1/a/{group}/n/{id}': { tag: 'Star', responses: { 200: 'NotificationTarget' }, errors: [404] },
  'PUT /v1/a/{group}/n/{id}': { tag: 'Star', body: 'NotificationTargetInput', responses: { 200: 'empty' }, errors: [404] },
  'DELETE /v1/a/{group}/n/{id}': { tag: 'Star', responses: { 200: 'empty' }, errors: [404] },
  'GET /v1/a/{group}/n/test/{id}': { tag: 'Star', responses: { 200: 'empty' }, errors: [404] },
  // Poll body and answer: Star's JSON ({printerMAC, statusCode, status, clientAction} → {jobReady, mediaTypes, jobToken, deleteMethod, clientAction}).
  'POST /cloudprnt/{group}': { tag: 'CloudPRNT', responses: { 200: 'object' }, errors: [400, 404] },
  'GET /cloudprnt/{group}': {
    tag: 'CloudPRNT',
    query: {
      mac: 'the printer MAC (printerMAC of its poll)',
      type: 'one of the mediaTypes the poll answer offered',
      token: 'the jobToken of the poll answer',
      delete: 'present: this GET is the job confirmation (deleteMethod GET), with code',
      code: 'with delete: the printer result code',
    },
    responses: { 200: 'binary' },
    errors: [400, 404, 415],
  },
  'DELETE /cloudprnt/{group}': {
    tag: 'CloudPRNT',
    query: { mac: 'the printer MAC', code: 'result code: 2xx printed, 520 retried, others failed ("200%20OK")', token: 'the jobToken' },
    responses: { 200: 'empty' },
    errors: [400, 404],
  },
  'GET /healthz': { tag: 'Native', responses: { 200: 'Health', 503: 'Health' } },
  'GET /metrics': { tag: 'Native', responses: { 200: 'text' } },
  'GET /api/v1/me': { tag: 'Native', responses: { 200: 'Me' } },
  'GET /api/v1/openapi.json': { tag: 'Native', responses: { 200: 'object' } },
  'GET /api/v1/printers': { tag: 'Native', responses: { 200: 'PrinterList' } },
  'GET /api/v1/printers/{id}': { tag: 'Native', responses: { 200: 'Printer' }, errors: [404] },
  'POST /api/v1/printers/{id}/jobs': {
    tag: 'Native',
    body: 'document',
    query: PRINT_OPTIONS,
    headers: PRINT_HEADERS,
    responses: { 201: 'Job' },
    errors: [404, 409, 413, 415],
  },
  'GET /api/v1/jobs': {
    tag: 'Native',
    query: {
      printer: 'printer id',
      state: 'pending | processing | completed | aborted | canceled | held',
      since: 'ISO 8601 time: jobs changed at or after it',
      limit: '1-200, default 50',
      cursor: 'the "next" of the previous page',
    },
    responses: { 200: 'JobList' },
  },
  'GET /api/v1/jobs/{id}': { tag: 'Native', responses: { 200: 'Job' }, errors: [404] },
  'DELETE /api/v1/jobs/{id}': { tag: 'Native', responses: { 200: 'Job' }, errors: [404, 409] },
  'POST /api/v1/jobs/{id}/release': { tag: 'Native', responses: { 200: 'Job' }, errors: [404, 409] },
  'GET /api/v1/jobs/{id}/preview.png': { tag: 'Native', responses: { 200: 'png' }, errors: [404, 422] },
  'GET /api/v1/events': {
    tag: 'Native',
    query: { printer: 'only events of this printer', lastEventId: 'resume (same as the Last-Event-ID header)' },
    headers: { 'Last-Event-ID': 'resume after this event id' },
    responses: { 200: 'sse' },
  },
  'GET /api/v1/discovered': { tag: 'Native', responses: { 200: 'object' } },
  'POST /api/v1/printers/{id}/forget': { tag: 'Native', responses: { 200: 'object' }, errors: [404, 409] },
  'GET /api/v1/keys': { tag: 'Native', responses: { 200: 'KeyList' } },
  'POST /api/v1/keys': { tag: 'Native', body: 'KeyCreate', responses: { 201: 'KeyCreated' } },
  'GET /api/v1/keys/{id}': { tag: 'Native', responses: { 200: 'Key' }, errors: [404] },
  'PATCH /api/v1/keys/{id}': { tag: 'Native', body: 'KeyEdit', responses: { 200: 'Key' }, errors: [404] },
  'DELETE /api/v1/keys/{id}': { tag: 'Native', responses: { 200: 'Key' }, errors: [404] },
  'GET /': { tag: 'Native', responses: { 200: 'html' } },
  'GET /status/{file}': { tag: 'Native', responses: { 200: 'binary' }, errors: [404] },
  'GET /api/v1/status': { tag: 'Native', responses: { 200: 'object' } },
  'GET /api/v1/status/events': { tag: 'Native', responses: { 200: 'sse' } },
  'GET /api/v1/status/jobs/{id}/preview.png': { tag: 'Native', responses: { 200: 'png' }, errors: [404, 422] },
};

/** Express path → OpenAPI path: /v1/a/:group → /v1/a/{group}. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

export function operationKey(route: Pick<RouteSpec, 'method' | 'path'>): string {
  return `${route.method.toUpperCase()} ${openApiPath(route.path)}`;
}

const ERROR_TEXT: Record<number, string> = {
  400: 'BAD_REQUEST: malformed body, wrong type, unknown field or option out of range (the message names it)',
  401: 'UNAUTHORIZED, TOKEN_INVALID, TOKEN_REVOKED, TOKEN_EXPIRED, TOKEN_DISABLED',
  403: 'INSUFFICIENT_SCOPE (and every auth failure on /v1/a… with compat.starAuthStatus)',
  404: 'NOT_FOUND (also for groups a group-limited key may not see)',
  409: 'CONFLICT / IDEMPOTENCY_CONFLICT',
  413: 'PAYLOAD_TOO_LARGE (the route\'s body limit: 16 KiB of JSON, limits.maxDocumentBytes for documents)',
  415: 'UNSUPPORTED_MEDIA_TYPE; details.accepted lists the accepted types',
  422: 'DOCUMENT_FORMAT_ERROR: the document cannot be rendered (or drawn) for this printer',
  429: 'RATE_LIMITED, AUTH_THROTTLED, QUEUE_FULL, TOO_MANY_STREAMS or TOO_MANY_UPLOADS; Retry-After in seconds',
  500: 'INTERNAL',
};

function content(kind: string): Schema | undefined {
  if (kind === 'empty') return undefined;
  if (kind === 'text') return { 'text/plain': { schema: { type: 'string' } } };
  if (kind === 'html') return { 'text/html': { schema: { type: 'string' } } };
  if (kind === 'binary') return { '*/*': { schema: { type: 'string', format: 'binary' } } };
  if (kind === 'sse') return { 'text/event-stream': { schema: { type: 'string', description: 'id / event (job | printer | reset | error) / data (JSON)' } } };
  if (kind === 'ids') return { 'application/json': { schema: { type: 'array', items: { type: 'string' } } } };
  if (kind === 'object') return { 'application/json': { schema: { type: 'object' } } };
  if (kind === 'png') return { 'image/png': { schema: { type: 'string', format: 'binary' } } };
  const list = kind.endsWith('[]');
  const ref = { $ref: `#/components/schemas/${list ? kind.slice(0, -2) : kind}` };
  return { 'application/json': { schema: list ? { type: 'array', items: ref } : ref } };
}

function operation(route: RouteSpec, doc: OperationDoc | undefined): Schema {
  const parameters: Schema[] = [...openApiPath(route.path).matchAll(/\{([^}]+)\}/g)].map((m) => ({
    name: m[1],
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  for (const [name, description] of Object.entries(doc?.query ?? {})) parameters.push({ name, in: 'query', description, schema: { type: 'string' } });
  for (const [name, description] of Object.entries(doc?.headers ?? {})) parameters.push({ name, in: 'header', description, schema: { type: 'string' } });
  const responses: Record<string, Schema> = {};
  for (const [status, kind] of Object.entries(doc?.responses ?? { 200: 'object' })) {
    const body = content(kind);
    responses[status] = { description: kind === 'empty' ? 'no body' : 'success', ...(body ? { content: body } : {}) };
  }
  const errors = route.access.kind === 'public' ? [500, ...(doc?.errors ?? [])] : [400, 401, 403, 429, 500, ...(doc?.errors ?? [])];
  for (const status of [...new Set(errors)].sort()) {
    responses[String(status)] = { description: ERROR_TEXT[status] ?? 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  }
  const result: Schema = {
    operationId: operationKey(route).replace(/[^A-Za-z0-9]+/g, '_').replace(/_$/, ''),
    summary: route.summary,
    tags: [doc?.tag ?? (route.path.startsWith('/v1/') ? 'Star' : 'Native')],
    parameters,
    responses,
    security:
      route.access.kind === 'public'
        ? []
        : route.access.kind === 'optional-key'
          ? [{}, { bearer: [] }, { starApiKey: [] }, { queryKey: [] }]
          : [{ bearer: [] }, { starApiKey: [] }, { queryKey: [] }],
  };
  if (route.access.kind === 'permission') result['x-permission'] = route.access.permission;
  if (doc?.body === 'document') {
    result.requestBody = {
      required: true,
      description: 'The document; its Content-Type decides how it is printed (415 lists the accepted types)',
      content: { '*/*': { schema: { type: 'string', format: 'binary' } } },
    };
  } else if (doc?.body) {
    result.requestBody = { required: false, content: { 'application/json': { schema: { $ref: `#/components/schemas/${doc.body}` } } } };
  }
  return result;
}

/** The OpenAPI 3.1 document of every registered route (both APIs). */
export function buildOpenApi(routes: readonly RouteSpec[], version: string): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const route of routes) {
    const path = openApiPath(route.path);
    paths[path] ??= {};
    paths[path][route.method] = operation(route, OPERATIONS[operationKey(route)]);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'printgate',
      version,
      description:
        'On-premise printer gateway. /v1/a… is a drop-in copy of Star Micronics\' cloud printing Web API (PascalCase fields); /api/v1… is the native API (jobs, events, printers, keys).',
    },
    tags: [
      { name: 'Star', description: 'Star-compatible API (StarIO.Online / starprinter.online v1)' },
      { name: 'Native', description: 'printgate native API' },
      { name: 'CloudPRNT', description: 'Star CloudPRNT server: Star printers poll /cloudprnt/{group} (no key; identified by MAC)' },
    ],
    paths,
    components: {
      schemas: SCHEMAS,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'pgk_live_<64 hex> or a GUID key' },
        starApiKey: { type: 'apiKey', in: 'header', name: 'Star-Api-Key' },
        queryKey: { type: 'apiKey', in: 'query', name: 'key' },
      },
    },
  };
}

/** Appends GET /api/v1/openapi.json (public: it describes routes, holds nothing secret) to the route list. */
export function withOpenApi(version: string, routes: RouteSpec[]): RouteSpec[] {
  let document: Schema | null = null;
  const all: RouteSpec[] = [
    ...routes,
    {
      method: 'get',
      path: '/api/v1/openapi.json',
      access: PUBLIC,
      summary: 'This OpenAPI 3.1 document (both APIs)',
      handler: (_req, res) => {
        document ??= buildOpenApi(all, version);
        res.json(document);
      },
    },
  ];
  return all;
}
