import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/open-database.js';
import { KeyStore } from '../../src/keys/key-store.js';
import { runCli, startServe, writeConfig, type ServeProcess } from '../helpers/cli-process.js';

/**
 * End to end with all three ways of presenting a key, both key forms, successes and failures: then
 * the whole log output, every answer, `keys list` and the raw database files are searched for the
 * secrets. Only their SHA-256 may be found.
 */

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full) : [full];
  });
}

/** Every spelling a secret could be stored or printed in. */
function needles(secret: string): string[] {
  const bare = secret.replace(/^pgk_live_/, '');
  const forms = new Set([secret, secret.toLowerCase(), secret.toUpperCase(), bare, bare.toLowerCase(), bare.toUpperCase(), encodeURIComponent(secret)]);
  if (/^[0-9a-f-]{36}$/i.test(secret)) forms.add(secret.replace(/-/g, '').toLowerCase());
  return [...forms];
}

function findIn(haystack: Buffer | string, secrets: readonly string[]): string[] {
  const buffer = typeof haystack === 'string' ? Buffer.from(haystack, 'utf8') : haystack;
  const found: string[] = [];
  for (const secret of secrets) {
    for (const form of needles(secret)) {
      if (buffer.includes(Buffer.from(form, 'utf8')) || buffer.includes(Buffer.from(form, 'utf16le'))) found.push(form);
    }
  }
  return found;
}

describe('no key leaks', () => {
  let serve: ServeProcess | undefined;
  afterAll(async () => {
    await serve?.stop();
  });

  it('keeps every key out of logs, answers, keys list and the database files', async () => {
    const out = writeConfig({});
    const config = writeConfig({
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'trace' },
      discovery: { interfaces: [], serial: false, usb: false },
      limits: { authFailures: { maxFailures: 1000 } },
      printers: [{ name: 'Front', group: 'store1', appId: 'front01', uri: `file:${path.join(out.dir, 'front.bin')}`, language: 'raw' }],
    });
    serve = await startServe(config.file);
    const created = runCli(['keys', 'create', '--name', 'leak check', '--permissions', 'PrintToDevice,ViewJobs,ManageKeys', '--json', '--config', config.file]);
    expect(created.status).toBe(0);
    const local = (JSON.parse(created.stdout) as { id: string; key: string }).key;
    const guid = '9b2c4f1e-7d3a-4e8b-a1c5-0f6e2d9b8a7c';
    const db = openDatabase({ dataDir: config.dataDir });
    try {
      new KeyStore({ db, now: () => new Date() }).insert(guid, { name: 'cloud till', permissions: ['PrintToDevice'] }, 'cloud');
    } finally {
      db.close();
    }
    const secrets = [local, guid];
    const answers: string[] = [];
    const statuses: string[] = [];
    // A connection per request: CLI runs between requests may outlast the server's keep-alive timeout.
    const call = (route: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = http.request(serve!.url + route, { method: init.method ?? 'GET', headers: init.headers, agent: false, timeout: 10_000 }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            answers.push(text, JSON.stringify(Object.entries(res.headers)));
            statuses.push(`${route.replace(/key=[^&]*/, 'key=…')} ${res.statusCode}`);
            resolve(res.statusCode ?? 0);
          });
          res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error(`${route.replace(/key=[^&]*/, 'key=…')} timed out`)));
        req.on('error', reject);
        req.end(init.body);
      });
    const print = (headers: Record<string, string>) => ({ method: 'POST', body: 'hello\n', headers: { 'content-type': 'application/octet-stream', ...headers } });

    expect(await call('/v1/a/store1/d/front01/q', print({ authorization: `Bearer ${local}` }))).toBe(201);
    expect(await call('/api/v1/me', { headers: { 'star-api-key': local } })).toBe(200);
    expect(await call(`/api/v1/me?key=${local}`)).toBe(200);
    expect(await call(`/v1/a/store1/d/front01/q?key=${local}`, print({}))).toBe(201);
    expect(await call(`/api/v1/printers?key=${local}`)).toBe(403);
    expect(await call(`/api/v1/nothing-here?key=${local}&x=1`)).toBe(404);
    expect(await call(`/api/v1/me?key=${local}`, { method: 'PUT' })).toBe(405);
    expect(await call(`/api/v1/keys?key=${local}`, { method: 'POST', body: `{"name": "${local}"`, headers: { 'content-type': 'application/json' } })).toBe(400);
    expect(await call(`/api/v1/me?key=${local.slice(0, -1)}x`)).toBe(401);
    expect(await call('/api/v1/me', { headers: { authorization: `Bearer ${local}`, 'star-api-key': 'wrong' } })).toBe(200);
    expect(await call('/v1/a/store1/d/front01/q', print({ 'star-api-key': guid.toUpperCase() }))).toBe(201);
    expect(await call(`/v1/a/store1/d/front01/q?key=${guid}`, print({}))).toBe(201);
    expect(await call(`/api/v1/me?key=${guid.slice(0, -1)}`)).toBe(401);
    expect(await call('/v1/a/store1/d/front01/q', print({ authorization: `Bearer ${guid}` }))).toBe(201);

    const list = runCli(['keys', 'list', '--config', config.file]);
    const listJson = runCli(['keys', 'list', '--json', '--config', config.file]);
    expect(list.status).toBe(0);
    expect(listJson.status).toBe(0);
    expect(list.stdout).toContain('leak check');
    const revokeId = (JSON.parse(listJson.stdout) as { id: string; name: string }[]).find((k) => k.name === 'leak check')!.id;
    expect(runCli(['keys', 'revoke', revokeId, '--config', config.file]).status).toBe(0);
    expect(await call(`/api/v1/me?key=${local}`)).toBe(401);
    expect(await call('/api/v1/me', { headers: { authorization: `Bearer ${local}` } })).toBe(401);

    // The files as serve holds them open (WAL and shared memory included), then after a clean stop.
    const whileRunning = filesUnder(config.dataDir).map((file) => ({ file, bytes: readFileSync(file) }));
    expect(whileRunning.some(({ file }) => file.endsWith('printgate.db-wal'))).toBe(true);
    expect(await serve.stop()).toBe(0);
    const afterStop = filesUnder(config.dataDir).map((file) => ({ file, bytes: readFileSync(file) }));
    const logText = serve.output();
    expect(logText).toContain('"msg":"request"');
    expect(logText).toContain('/api/v1/me');

    // Positive control: the search finds what is there — the hashes are stored.
    const dbBytes = Buffer.concat(whileRunning.filter(({ file }) => file.includes('printgate.db')).map(({ bytes }) => bytes));
    const stored = Buffer.concat([dbBytes, ...afterStop.map(({ bytes }) => bytes)]);
    expect(stored.includes(Buffer.from(createHash('sha256').update(local).digest('hex')))).toBe(true);
    expect(stored.includes(Buffer.from(createHash('sha256').update(guid).digest('hex')))).toBe(true);

    const leaks = [
      ...findIn(logText, secrets).map((form) => `log output: ${form}`),
      ...answers.flatMap((answer, i) => findIn(answer, secrets).map((form) => `answer ${i} (${statuses[Math.floor(i / 2)]}): ${form}`)),
      ...findIn(list.stdout + list.stderr, secrets).map((form) => `keys list: ${form}`),
      ...findIn(listJson.stdout + listJson.stderr, secrets).map((form) => `keys list --json: ${form}`),
      ...[...whileRunning, ...afterStop].flatMap(({ file, bytes }) => findIn(bytes, secrets).map((form) => `${path.relative(config.dataDir, file)}: ${form}`)),
    ];
    if (leaks.length > 0) writeFileSync(path.join(config.dir, 'leaks.txt'), leaks.join('\n'));
    expect(leaks).toEqual([]);
    expect(existsSync(path.join(config.dataDir, 'printgate.db'))).toBe(true);
  });
});
