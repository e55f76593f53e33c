import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATIONS, operationKey } from '../../src/http/openapi.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

let gw: TestGateway;
let doc: any;

beforeAll(async () => {
  gw = await startTestGateway();
  const res = await fetch(`${gw.url}/api/v1/openapi.json`);
  expect(res.status).toBe(200);
  doc = await res.json();
});

afterAll(async () => {
  await gw?.stop();
});

const documented = (): string[] =>
  Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));

describe('GET /api/v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document served without a key', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('printgate');
    expect(doc.components.securitySchemes.starApiKey).toEqual({ type: 'apiKey', in: 'header', name: 'Star-Api-Key' });
  });

  it('describes every registered route, and nothing else', () => {
    const registered = gw.gateway.routes.map(operationKey).sort();
    expect(documented().sort()).toEqual(registered);
  });

  it('every registered route has a hand-written entry in OPERATIONS (src/http/openapi.ts)', () => {
    const missing = gw.gateway.routes.map(operationKey).filter((key) => !(key in OPERATIONS));
    expect(missing, 'add these to OPERATIONS in src/http/openapi.ts').toEqual([]);
  });

  it('each operation states its permission exactly as the route declares it', () => {
    for (const route of gw.gateway.routes) {
      const [method, path] = operationKey(route).split(' ') as [string, string];
      const op = doc.paths[path][method.toLowerCase()];
      expect(op.summary).toBe(route.summary);
      if (route.access.kind === 'permission') expect(op['x-permission'], operationKey(route)).toBe(route.access.permission);
      else expect(op['x-permission']).toBeUndefined();
      expect(op.security.length === 0, operationKey(route)).toBe(route.access.kind === 'public');
    }
  });

  it('every $ref resolves, and Star schemas carry Star field names', () => {
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[A-Za-z]+/g) ?? [];
    for (const ref of new Set(refs)) expect(doc.components.schemas[ref.split('/').at(-1)!], ref).toBeDefined();
    expect(Object.keys(doc.components.schemas.StarStatus.properties)).toHaveLength(13);
    expect(doc.components.schemas.Device.required).toContain('AccessIdentifier');
    expect(doc.components.schemas.GroupDetail.required).toEqual(expect.arrayContaining(['ContactEMail', 'AutoClaimBCR', 'DeviceCount']));
  });
});
