import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/errors/codes.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

const README = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8');

function section(marker: string): string[][] {
  const start = README.indexOf(`<!-- ${marker} -->`);
  const end = README.indexOf(`<!-- /${marker} -->`);
  expect(start, `README has <!-- ${marker} -->`).toBeGreaterThan(-1);
  return README.slice(start, end)
    .split('\n')
    .filter((line) => line.startsWith('|') && !line.startsWith('|---'))
    .slice(1)
    .map((line) => line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()));
}

let gateway: TestGateway;
beforeAll(async () => {
  gateway = await startTestGateway();
});
afterAll(async () => {
  await gateway.stop();
});

describe('README stays true', () => {
  it('lists every error code of the catalogue with its HTTP status and job action, and no other', () => {
    const rows = section('ERROR-CODES').map(([status, code, action]) => [code!.replace(/`/g, ''), Number(status), action]);
    const catalogue = Object.entries(ERROR_CODES).map(([code, spec]: [string, { status: number; action?: string }]) => [code, spec.status, spec.action ?? '—']);
    expect(rows.sort()).toEqual(catalogue.sort());
  });

  it('lists every route the gateway serves, and no other', () => {
    const documented = section('ROUTES').map(([method, route]) => `${method} ${route!.replace(/`/g, '')}`);
    const served = gateway.gateway.routes.map((route) => `${route.method.toUpperCase()} ${route.path.replace(/:(\w+)/g, '{$1}')}`);
    expect([...new Set(documented)].sort()).toEqual([...new Set(served)].sort());
  });
});
