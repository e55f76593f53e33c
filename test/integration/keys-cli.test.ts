import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe, writeConfig, type ServeProcess } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The key lifecycle from the CLI against `serve` running in another process: every change is
 * seen on the server's very next request, with no restart.
 */

interface CreatedKey {
  id: string;
  key: string;
  hint: string;
}

function cli(configFile: string, ...args: string[]): string {
  const result = runCli([...args, '--config', configFile]);
  if (result.status !== 0) throw new Error(`printgate ${args.join(' ')} exited ${String(result.status)}: ${result.stderr}`);
  return result.stdout;
}

/**
 * One request on a connection of its own: CLI commands between requests can outlast the server's
 * keep-alive timeout on a busy machine, and a reused connection closing under a request is a race
 * of HTTP/1.1 keep-alive, not something this test is about.
 */
function send(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false, timeout: 10_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${url} timed out`)));
    req.on('error', reject);
    req.end(init.body);
  });
}

async function request(
  base: string,
  key: string,
  route: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; code: string | undefined }> {
  const response = await send(base + route, { ...init, headers: { authorization: `Bearer ${key}`, ...init.headers } });
  const body = JSON.parse(response.text) as { error?: { code: string } };
  return { status: response.status, code: body.error?.code };
}

describe('keys CLI against a running serve', () => {
  let serve: ServeProcess;
  let config: { file: string; dir: string };
  const print = { method: 'POST', body: 'hello\n', headers: { 'content-type': 'application/octet-stream' } };

  beforeAll(async () => {
    const dir = writeConfig({});
    config = writeConfig({
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'info' },
      discovery: { interfaces: [], serial: false, usb: false },
      printers: [{ name: 'Front', group: 'store1', appId: 'front01', uri: `file:${path.join(dir.dir, 'front.bin')}`, language: 'raw' }],
    });
    serve = await startServe(config.file);
  });
  afterAll(async () => {
    await serve?.stop();
  });

  it('revoke: the very next request gets 401 TOKEN_REVOKED', async () => {
    const created = JSON.parse(cli(config.file, 'keys', 'create', '--name', 'till 1', '--permissions', 'PrintToDevice,ViewJobs', '--json')) as CreatedKey;
    expect(created.key).toMatch(/^pgk_live_[0-9a-f]{64}$/);
    expect(await request(serve.url, created.key, '/v1/a/store1/d/front01/q', print)).toEqual({ status: 201, code: undefined });
    cli(config.file, 'keys', 'revoke', created.id);
    expect(await request(serve.url, created.key, '/v1/a/store1/d/front01/q', print)).toEqual({ status: 401, code: 'TOKEN_REVOKED' });
    expect(runCli(['keys', 'enable', created.id, '--config', config.file]).status).not.toBe(0);
    expect(await request(serve.url, created.key, '/api/v1/me')).toEqual({ status: 401, code: 'TOKEN_REVOKED' });
  });

  it('revoke closes the key’s open event stream on serve, before its 15 s heartbeat', async () => {
    const created = JSON.parse(cli(config.file, 'keys', 'create', '--name', 'dashboard', '--permissions', 'ViewJobs', '--json')) as CreatedKey;
    let text = '';
    let ended = false;
    const req = http.get(`${serve.url}/api/v1/events`, { headers: { authorization: `Bearer ${created.key}` } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('close', () => (ended = true));
    });
    try {
      await waitFor('the stream to open', () => text.startsWith('retry:'));
      cli(config.file, 'keys', 'revoke', created.id);
      await waitFor('the stream to be closed', () => ended, 8_000);
      expect(text).toContain('event: error\ndata: {"code":"TOKEN_REVOKED"');
    } finally {
      req.destroy();
    }
  });

  it('disable then enable: TOKEN_DISABLED on the next request, working again after enable', async () => {
    const created = JSON.parse(cli(config.file, 'keys', 'create', '--name', 'till 2', '--permissions', 'PrintToDevice', '--json')) as CreatedKey;
    expect((await request(serve.url, created.key, '/api/v1/me')).status).toBe(200);
    cli(config.file, 'keys', 'disable', created.id);
    expect(await request(serve.url, created.key, '/api/v1/me')).toEqual({ status: 401, code: 'TOKEN_DISABLED' });
    cli(config.file, 'keys', 'enable', created.id);
    expect(await request(serve.url, created.key, '/v1/a/store1/d/front01/q', print)).toEqual({ status: 201, code: undefined });
  });

  it('edit: a removed permission is refused on the next request', async () => {
    const created = JSON.parse(cli(config.file, 'keys', 'create', '--name', 'till 3', '--permissions', 'PrintToDevice,ViewJobs', '--json')) as CreatedKey;
    expect((await request(serve.url, created.key, '/v1/a/store1/d/front01/q', print)).status).toBe(201);
    cli(config.file, 'keys', 'edit', created.id, '--permissions', 'ViewJobs', '--name', 'till 3b');
    expect(await request(serve.url, created.key, '/v1/a/store1/d/front01/q', print)).toEqual({ status: 403, code: 'INSUFFICIENT_SCOPE' });
    const me = await send(`${serve.url}/api/v1/me`, { headers: { authorization: `Bearer ${created.key}` } });
    expect(JSON.parse(me.text)).toMatchObject({ name: 'till 3b', permissions: ['ViewJobs'] });
  });

  it('expiry set from the CLI takes effect without a restart', async () => {
    const created = JSON.parse(cli(config.file, 'keys', 'create', '--name', 'till 4', '--permissions', 'ViewJobs', '--json')) as CreatedKey;
    expect((await request(serve.url, created.key, '/api/v1/me')).status).toBe(200);
    cli(config.file, 'keys', 'edit', created.id, '--expires', '2001-01-01T00:00:00Z');
    expect(await request(serve.url, created.key, '/api/v1/me')).toEqual({ status: 401, code: 'TOKEN_EXPIRED' });
    cli(config.file, 'keys', 'edit', created.id, '--expires', 'never');
    expect((await request(serve.url, created.key, '/api/v1/me')).status).toBe(200);
  });

  it('keys list shows id, name, hint, permissions, groups, state, source, created, lastUsed, expires — never the key', async () => {
    const created = JSON.parse(
      cli(config.file, 'keys', 'create', '--name', 'listed', '--permissions', 'jobs:read', '--groups', 'store1', '--expires', '2099-12-31T00:00:00Z', '--json'),
    ) as CreatedKey;
    expect((await request(serve.url, created.key, '/api/v1/me')).status).toBe(200);
    const text = cli(config.file, 'keys', 'list');
    const [header, ...rows] = text.trimEnd().split('\n');
    expect(header!.split(/\s+/)).toEqual(['id', 'name', 'hint', 'permissions', 'groups', 'state', 'source', 'created', 'lastUsed', 'expires']);
    const row = rows.find((line) => line.startsWith(created.id));
    expect(row).toBeDefined();
    expect(row).toContain(`pgk_live_…${created.key.slice(-4)}`);
    expect(row).toMatch(/ViewJobs\s+store1\s+active\s+local\s+\d{4}-\d\d-\d\dT\S+\s+\d{4}-\d\d-\d\dT\S+\s+2099-12-31T00:00:00.000Z$/);
    expect(text).not.toContain(created.key.slice(9));
    expect(rows.some((line) => /\srevoked\s/.test(line))).toBe(true);
    expect(rows.some((line) => /\sexpired\s/.test(line))).toBe(false);

    const json = cli(config.file, 'keys', 'list', '--json');
    expect(json).not.toContain(created.key.slice(9));
    const entry = (JSON.parse(json) as Record<string, unknown>[]).find((k) => k.id === created.id);
    expect(entry).toEqual({
      id: created.id,
      name: 'listed',
      description: '',
      hint: `pgk_live_…${created.key.slice(-4)}`,
      permissions: ['ViewJobs'],
      groups: ['store1'],
      state: 'active',
      source: 'local',
      created: expect.stringMatching(/^\d{4}-/),
      lastUsed: expect.stringMatching(/^\d{4}-/),
      expires: '2099-12-31T00:00:00.000Z',
      revoked: null,
    });
  });

  it('purge --older-than removes revoked and expired keys past the cutoff, and keeps the rest', async () => {
    const revoked = JSON.parse(cli(config.file, 'keys', 'create', '--name', 'old till', '--permissions', 'ViewJobs', '--json')) as CreatedKey;
    const expired = JSON.parse(cli(config.file, 'keys', 'create', '--name', 'temp', '--permissions', 'ViewJobs', '--expires', '2001-01-01T00:00:00Z', '--json')) as CreatedKey;
    const live = JSON.parse(cli(config.file, 'keys', 'create', '--name', 'live', '--permissions', 'ViewJobs', '--json')) as CreatedKey;
    cli(config.file, 'keys', 'revoke', revoked.id);
    expect(runCli(['keys', 'purge', '--config', config.file]).status).not.toBe(0);
    // Revoked just now: younger than a day, kept for audit.
    expect(JSON.parse(cli(config.file, 'keys', 'purge', '--older-than', '1d', '--json'))).toMatchObject({ removed: expect.any(Number) });
    const ids = () => (JSON.parse(cli(config.file, 'keys', 'list', '--json')) as { id: string }[]).map((k) => k.id);
    expect(ids()).toContain(revoked.id);
    expect(ids()).not.toContain(expired.id);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(cli(config.file, 'keys', 'purge', '--older-than', '0m')).toMatch(/^Removed [1-9]\d* revoked or expired key\(s\)\./);
    expect(ids()).not.toContain(revoked.id);
    expect(ids()).toContain(live.id);
    expect(await request(serve.url, revoked.key, '/api/v1/me')).toEqual({ status: 401, code: 'TOKEN_INVALID' });
    expect((await request(serve.url, live.key, '/api/v1/me')).status).toBe(200);
  });
});
