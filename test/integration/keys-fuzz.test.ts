import http from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

/**
 * Thousands of malformed keys in the three places a key may be presented: every answer is a JSON
 * 4xx, never a 5xx; the server stays up and its memory flat.
 */

/** A deterministic PRNG (mulberry32): the same cases on every run, so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The bytes node's http client allows in a header value. */
const HEADER_SAFE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** What a client sending UTF-8 puts on the wire, as the latin1 string node's http client accepts. */
const wire = (value: string): string => Buffer.from(value, 'utf8').toString('latin1');
/** Any string as a query value, every byte percent-encoded (lone surrogates included). */
const percent = (value: string): string => [...Buffer.from(value, 'utf8')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');

function malformedValues(validKey: string, validGuid: string): string[] {
  const random = prng(20261123);
  const pick = (alphabet: string, length: number): string => Array.from({ length }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
  const hex = '0123456789abcdef';
  const values = new Set<string>([
    '',
    ' ',
    '\t',
    'Bearer',
    'bearer ',
    'null',
    'undefined',
    '[]',
    '{}',
    '0',
    '-1',
    'pgk_live_',
    'pgk_live_' + '0'.repeat(63),
    'pgk_live_' + '0'.repeat(65),
    'pgk_live_' + 'g'.repeat(64),
    'PGK_LIVE_' + validKey.slice(9),
    validKey.toUpperCase(),
    validKey.slice(0, -1),
    `${validKey}0`,
    ` ${validKey}x`,
    `${validKey},${validKey}`,
    `${validKey} ${validKey}`,
    validKey.replace('pgk_live_', 'pgk_test_'),
    validKey.replace('_', '-'),
    validGuid.slice(0, -1),
    `${validGuid}0`,
    `{${validGuid}}`,
    validGuid.replace(/-/g, ''),
    validGuid.replace(/-/g, '_'),
    'a'.repeat(4096),
    'a'.repeat(15_000),
    'a'.repeat(16 * 1024),
    `pgk_live_${'f'.repeat(16 * 1024)}`,
    "' OR '1'='1",
    "' OR 1=1 --",
    "'; DROP TABLE api_keys; --",
    `pgk_live_' UNION SELECT sha256 FROM api_keys --`,
    '" OR ""="',
    '1; SELECT * FROM api_keys',
    '%27%20OR%201%3D1',
    'x%0d%0aSet-Cookie: pwned=1',
    'x\\r\\nX-Injected: 1',
    '%0d%0a%0d%0aHTTP/1.1 200 OK',
    '<script>alert(1)</script>',
    '../../../../etc/passwd',
    '${jndi:ldap://127.0.0.1/a}',
    '__proto__',
    'constructor',
    'hasOwnProperty',
    '\u0000',
    '\u00ff\u00fe\u0080',
    'pgk_live_ｆｆｆｆ',
    'pgk_live_\u200b' + validKey.slice(9),
    '\u202e' + validKey,
    '🔑'.repeat(20),
    'ключ',
    '鍵'.repeat(100),
    '\ud800',
    'Bearer Bearer ' + validKey.slice(0, 20),
  ]);
  // One character off, at every position of both key forms.
  for (let i = 0; i < validKey.length; i++) {
    const replacement = validKey[i] === '0' ? 'G' : '0';
    values.add(validKey.slice(0, i) + replacement + validKey.slice(i + 1));
    values.add(validKey.slice(0, i) + validKey.slice(i + 1));
  }
  for (let i = 0; i < validGuid.length; i++) values.add(validGuid.slice(0, i) + 'z' + validGuid.slice(i + 1));
  // Random noise from several alphabets and lengths.
  const alphabets = [
    hex,
    `${hex}-`,
    'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_',
    ' !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
    Array.from({ length: 128 }, (_, i) => String.fromCharCode(0x80 + i)).join(''),
    'äöüßéèñ€✓☃𝄞😀',
  ];
  while (values.size < 1150) {
    const alphabet = alphabets[Math.floor(random() * alphabets.length)]!;
    const length = [0, 1, 8, 36, 72, 73, 74, 200, 2000][Math.floor(random() * 9)]!;
    const prefix = random() < 0.3 ? 'pgk_live_' : '';
    values.add(prefix + pick(alphabet, length));
  }
  return [...values];
}

interface Answer {
  status: number;
  contentType: string;
  body: string;
}

function send(agent: http.Agent, base: URL, options: { path: string; method: string; headers: Record<string, string | string[]> }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { agent, host: base.hostname, port: base.port, method: options.method, path: options.path, headers: options.headers, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(options.method === 'POST' ? 'x' : undefined);
  });
}

function heapUsedAfterGc(gc: (() => void) | undefined): number {
  if (!gc) return process.memoryUsage().rss;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('malformed keys fuzz', () => {
  let gw: TestGateway;
  let valid: { id: string; key: string };
  const guid = '1f0e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';
  beforeAll(async () => {
    gw = await startTestGateway({
      limits: { perKey: { ratePerSecond: 100_000, burst: 100_000 }, authFailures: { maxFailures: 1_000_000 } },
      log: { level: 'warn' },
    });
    valid = gw.createKey(['ViewJobs', 'PrintToDevice', 'ManageKeys']);
    gw.withKeyStore((store) => store.insert(guid, { name: 'cloud', permissions: ['ViewJobs'] }, 'cloud'));
  });
  afterAll(async () => gw.stop());

  it('answers every malformed key with a JSON 4xx, stays alive, and keeps memory flat', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;
    const base = new URL(gw.url);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const values = malformedValues(valid.key, guid);
    const routes = [
      { method: 'GET', path: '/api/v1/me' },
      { method: 'GET', path: '/api/v1/keys' },
      { method: 'POST', path: '/v1/a/store1/d/front01/q' },
    ];
    const cases: { path: string; method: string; headers: Record<string, string | string[]>; label: string }[] = [];
    values.forEach((value, index) => {
      const route = routes[index % routes.length]!;
      const headers = { 'content-type': 'application/octet-stream' };
      // Node refuses NUL, CR and LF in a header value before sending: those go in the query only.
      if (HEADER_SAFE.test(wire(value))) {
        cases.push({ ...route, headers: { ...headers, authorization: `Bearer ${wire(value)}` }, label: `Bearer #${index}` });
        cases.push({ ...route, headers: { ...headers, 'star-api-key': wire(value) }, label: `Star-Api-Key #${index}` });
      }
      cases.push({ ...route, path: `${route.path}?key=${percent(value)}`, headers, label: `?key= #${index}` });
    });
    // Bearer variants, duplicated headers, raw (unencoded) query strings.
    const tail = valid.key.slice(0, 40);
    for (const authorization of ['Bearer', 'Bearer ', 'Bearer  ', 'Bearer\t', 'BEARER x', 'Basic dXNlcjpwYXNz', 'Token abc', `Bearer ${tail}`, `Bearer Bearer ${tail}`, `Bearer ${tail} extra`, 'Bearer\u00a0x', ' Bearer x', 'Bearerx']) {
      cases.push({ method: 'GET', path: '/api/v1/me', headers: { authorization: wire(authorization) }, label: `Authorization ${JSON.stringify(authorization)}` });
    }
    cases.push({ method: 'GET', path: '/api/v1/me', headers: { 'star-api-key': ['a', 'b'] }, label: 'two Star-Api-Key headers' });
    cases.push({ method: 'GET', path: '/api/v1/me', headers: { authorization: ['Bearer a', 'Bearer b'] }, label: 'two Authorization headers' });
    for (const raw of ['key', 'key=', 'key=%', 'key=%zz', 'key=%ff%fe', 'key=a&key=b', 'key[]=a', 'key[a]=b', 'key=+', 'key=' + 'x'.repeat(8000), '&&&key==', 'KEY=abc', 'key=\u00e9']) {
      cases.push({ method: 'GET', path: `/api/v1/me?${wire(raw)}`, headers: {}, label: `raw query ${raw.slice(0, 40)}` });
    }
    expect(cases.length).toBeGreaterThanOrEqual(3000);

    const failures: string[] = [];
    const statuses = new Map<string, number>();
    const runAll = async (list: typeof cases): Promise<void> => {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < list.length) {
          const item = list[next++]!;
          let answer: Answer;
          try {
            answer = await send(agent, base, item);
          } catch (error) {
            failures.push(`${item.label}: ${(error as Error).message}`);
            continue;
          }
          let code = '';
          try {
            code = (JSON.parse(answer.body) as { error: { code: string } }).error.code;
          } catch {
            code = '(not JSON)';
          }
          statuses.set(`${answer.status} ${code}`, (statuses.get(`${answer.status} ${code}`) ?? 0) + 1);
          if (answer.status < 400 || answer.status >= 500 || !answer.contentType.startsWith('application/json') || code === '(not JSON)') {
            failures.push(`${item.label}: ${answer.status} ${answer.contentType} ${answer.body.slice(0, 200)}`);
          }
          if (answer.body.includes(valid.key)) failures.push(`${item.label}: the valid key is in the answer`);
        }
      };
      await Promise.all(Array.from({ length: 8 }, worker));
    };

    await runAll(cases.slice(0, 300));
    const before = heapUsedAfterGc(gc);
    await runAll(cases);
    await runAll(cases.slice(0, 1000));
    const after = heapUsedAfterGc(gc);
    agent.destroy();

    expect(failures.slice(0, 20)).toEqual([]);
    expect(statuses.get('401 TOKEN_INVALID') ?? 0).toBeGreaterThan(2500);
    expect([...statuses.keys()].every((status) => /^4\d\d [A-Z_]+$/.test(status))).toBe(true);
    expect(after - before, `memory grew by ${((after - before) / 1e6).toFixed(1)} MB (${gc ? 'heapUsed after gc' : 'rss'})`).toBeLessThan(50 * 1024 * 1024);

    const health = await fetch(`${gw.url}/healthz`);
    expect(health.status).toBe(200);
    const me = await fetch(`${gw.url}/api/v1/me`, { headers: { authorization: `Bearer ${valid.key}` } });
    expect(me.status).toBe(200);
    const cloud = await fetch(`${gw.url}/api/v1/me?key=${guid.toUpperCase()}`);
    expect(cloud.status).toBe(200);
  });
});
