/**
 * Malformed requests generated from the OpenAPI document the gateway serves: for every operation,
 * bad path parameters, wrong methods, missing/bad/good keys, odd query strings, and bodies that
 * break the documented schema (wrong types, missing and unknown fields, deep nesting, huge strings,
 * broken JSON, wrong content types). Deterministic for a seed.
 */

export interface FuzzRequest {
  /** Operation and variant, for the account of 5xx answers. */
  label: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** A long-lived answer (an event stream): read its status, then hang up. */
  stream?: boolean;
}

type Schema = Record<string, unknown>;

interface Operation {
  method: string;
  template: string;
  body: Schema | null;
  bodyTypes: string[];
  stream: boolean;
}

const BAD_SEGMENTS = ['', '..', '..%2F..%2Fetc%2Fpasswd', '%00', '%ff%fe', 'a'.repeat(5000), '%F0%9F%98%80', '{group}', 'AUX', ' ', '%2e%2e', '-1', '0x10'];
const BAD_KEYS = ['pgk_live_' + '0'.repeat(64), '00000000-0000-0000-0000-000000000000', 'x'.repeat(9000), 'pgk_live_', '\u0000'];
const ODD_QUERIES = ['key=', 'copies=11', 'copies=-1', 'copies=1e9', 'name=%00', 'limit=-5', 'limit=1000000', 'cursor=%ff', 'since=abc', 'a=1&a=2&a=3', '%zz=1', 'state[]=x', `q=${'y'.repeat(8000)}`];
const WRONG_TYPES: unknown[] = [null, true, 0, -1, 1e308, 'text', '', [], {}, [1, 2], { nested: { deeper: [null] } }, 'x'.repeat(70_000)];

function resolve(schema: unknown, components: Record<string, Schema>): Schema | null {
  if (typeof schema !== 'object' || schema === null) return null;
  const ref = (schema as { $ref?: string }).$ref;
  if (ref) return resolve(components[ref.replace('#/components/schemas/', '')], components);
  return schema as Schema;
}

/** The operations of the document, with their body schema (JSON bodies) and content types. */
export function operationsOf(document: Schema): Operation[] {
  const components = ((document.components as Schema | undefined)?.schemas ?? {}) as Record<string, Schema>;
  const operations: Operation[] = [];
  for (const [template, methods] of Object.entries((document.paths ?? {}) as Record<string, Record<string, Schema>>)) {
    for (const [method, operation] of Object.entries(methods)) {
      const content = ((operation.requestBody as Schema | undefined)?.content ?? {}) as Record<string, Schema>;
      const responses = JSON.stringify(operation.responses ?? {});
      operations.push({
        method: method.toUpperCase(),
        template,
        body: resolve(content['application/json']?.schema, components),
        bodyTypes: Object.keys(content),
        stream: responses.includes('text/event-stream'),
      });
    }
  }
  return operations;
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** A body breaking the schema in one way. */
function badBody(random: () => number, schema: Schema | null): { body: string; type: string; how: string } {
  const properties = Object.keys((schema?.properties ?? {}) as Record<string, unknown>);
  const required = (schema?.required ?? []) as string[];
  const valid: Record<string, unknown> = {};
  for (const name of required) valid[name] = 'x';
  switch (Math.floor(random() * 9)) {
    case 0: {
      const field = properties.length > 0 ? pick(random, properties) : 'Name';
      return { body: JSON.stringify({ ...valid, [field]: pick(random, WRONG_TYPES) }), type: 'application/json', how: `wrong type for ${field}` };
    }
    case 1:
      return { body: JSON.stringify({}), type: 'application/json', how: 'required fields missing' };
    case 2:
      return {
        body: `${JSON.stringify({ ...valid, ['Unknown' + Math.floor(random() * 1000)]: 1 }).slice(0, -1)}${required.length > 0 ? ',' : ''}"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}`.replace('{,', '{'),
        type: 'application/json',
        how: 'unknown and prototype fields',
      };
    case 3:
      return { body: '['.repeat(5000) + ']'.repeat(5000), type: 'application/json', how: 'nested 5000 deep' };
    case 4:
      return { body: pick(random, ['{"a":', '{"a":1,}', "{'a':1}", '\u0000', '{"a":"\\ud800"}', 'null', '1', '"text"', '[]']), type: 'application/json', how: 'broken JSON' };
    case 5:
      return { body: JSON.stringify({ ...valid, Name: 'n'.repeat(70_000) }), type: 'application/json', how: 'over 64 KiB' };
    case 6:
      return { body: JSON.stringify(valid), type: pick(random, ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json; charset=utf-16', '']), how: 'wrong content type' };
    case 7:
      return { body: Buffer.from(Array.from({ length: 512 }, () => Math.floor(random() * 256))).toString('latin1'), type: 'application/octet-stream', how: 'random bytes' };
    default:
      return { body: JSON.stringify({ ...valid, Copies: 1e309, AutoBuzzBeforePrint: -0, Events: ['x'.repeat(300)], Url: 'javascript:alert(1)' }), type: 'application/json', how: 'edge values' };
  }
}

export interface FuzzContext {
  goodKey: string;
  /** Values that name things that exist (so that some requests get past 404). */
  group: string;
  appId: string;
}

/** `count` malformed requests over the document's operations. */
export function openApiCases(document: Schema, context: FuzzContext, count: number, random: () => number): FuzzRequest[] {
  const operations = operationsOf(document);
  if (operations.length === 0) throw new Error('the OpenAPI document lists no operations');
  const cases: FuzzRequest[] = [];
  for (let i = 0; i < count; i += 1) {
    const operation = operations[i % operations.length]!;
    const variant = Math.floor(random() * 6);
    const headers: Record<string, string> = {};
    const auth = random();
    if (auth < 0.55) headers.authorization = `Bearer ${context.goodKey}`;
    else if (auth < 0.75) headers['star-api-key'] = pick(random, BAD_KEYS).replace(/\u0000/g, '');
    let how: string;
    let path = operation.template.replace(/\{group\}/g, context.group).replace(/\{appId\}/g, context.appId).replace(/\{[^}]+\}/g, 'missing');
    let method = operation.method;
    let body: string | undefined;
    if (variant === 0) {
      const params = [...operation.template.matchAll(/\{[^}]+\}/g)];
      const bad = pick(random, BAD_SEGMENTS);
      path = params.length > 0 ? operation.template.replace(/\{[^}]+\}/g, (param) => (random() < 0.5 ? bad : param === '{group}' ? context.group : context.appId)) : `${path}/${bad}`;
      how = 'bad path parameter';
    } else if (variant === 1) {
      method = pick(random, ['PATCH', 'PUT', 'DELETE', 'POST', 'OPTIONS', 'HEAD', 'TRACE'].filter((m) => m !== operation.method));
      how = `undocumented method ${method}`;
    } else if (variant === 2) {
      path = `${path}?${pick(random, ODD_QUERIES)}`;
      how = 'odd query';
    } else {
      how = 'documented method';
    }
    if ((operation.body !== null || operation.bodyTypes.length > 0 || method === 'POST' || method === 'PUT') && method !== 'HEAD' && method !== 'TRACE') {
      const bad = badBody(random, operation.body);
      body = bad.body;
      if (bad.type !== '') headers['content-type'] = bad.type;
      how += `, ${bad.how}`;
    }
    cases.push({ label: `${operation.method} ${operation.template}: ${how}`, method, path, headers, ...(body === undefined ? {} : { body }), ...(operation.stream ? { stream: true } : {}) });
  }
  return cases;
}
