import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';
import { rawRequest } from '../helpers/raw-http.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

/**
 * Bodies and slow clients: limits from Content-Length before a byte is read and while a chunked
 * body streams, per route; unauthenticated input answered and hung up on, never read whole; and
 * concurrent uploads per key capped.
 */

const errorCode = (json: unknown): string | undefined => (json as { error?: { code?: string } } | null)?.error?.code;
/** A sender paced at ~6 MB/s: a server that read a 1 GB body to its end would take minutes. */
const PACED = { chunk: Buffer.alloc(64 * 1024, 0x20), everyMs: 10, maxBytes: 64 * 1024 * 1024 };

describe('request bodies', () => {
  let gw: TestGateway;
  let sink: TcpSink;
  let port: number;
  let key: string;
  const H = 'Host: 127.0.0.1';
  beforeAll(async () => {
    sink = await startTcpSink();
    gw = await startTestGateway({
      limits: { maxDocumentBytes: 256 * 1024, perKey: { concurrentUploads: 2 } },
      printers: [{ name: 'Till', group: 'shop', appId: 'till', uri: sink.uri, language: 'raw' }],
    });
    port = Number(new URL(gw.url).port);
    key = gw.createKey(['CreateDeviceGroups', 'PrintToDevice', 'ViewJobs']).key;
  });
  afterAll(async () => {
    await gw.stop();
    await sink.close();
  });

  it('answers a declared 1 GB body to an unknown CloudPRNT group at once and hangs up, reading almost none of it', async () => {
    const answer = await rawRequest(port, `POST /cloudprnt/nosuchgroup HTTP/1.1\r\n${H}\r\nContent-Type: application/json\r\nContent-Length: 1073741824\r\n\r\n`, { trickle: PACED, waitMs: 15_000 });
    expect(answer.statuses).toHaveLength(1);
    expect(answer.statuses[0]).toBeGreaterThanOrEqual(400);
    expect(answer.statuses[0]).toBeLessThan(500);
    expect(answer.headers.connection).toBe('close');
    expect(answer.closedByServer).toBe(true);
    expect(answer.bytesSent).toBeLessThan(PACED.maxBytes);
  });

  it('refuses a JSON body over the route limit from its Content-Length, before the key is looked at', async () => {
    for (const auth of ['', `Authorization: Bearer ${key}\r\n`]) {
      const answer = await rawRequest(port, `POST /v1/a HTTP/1.1\r\n${H}\r\n${auth}Content-Type: application/json\r\nContent-Length: ${17 * 1024}\r\n\r\n`, { trickle: PACED, waitMs: 15_000 });
      expect(answer.statuses, auth).toEqual([413]);
      expect(errorCode(answer.json)).toBe('PAYLOAD_TOO_LARGE');
      expect(answer.closedByServer).toBe(true);
      expect(answer.bytesSent).toBeLessThan(PACED.maxBytes);
    }
  });

  it('stops a chunked JSON body at the limit while it streams', async () => {
    const chunk = Buffer.from(`1000\r\n${' '.repeat(0x1000)}\r\n`);
    const answer = await rawRequest(port, `POST /v1/a HTTP/1.1\r\n${H}\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`, {
      trickle: { chunk, everyMs: 5, maxBytes: 64 * 1024 * 1024 },
      waitMs: 15_000,
    });
    expect(answer.statuses).toEqual([413]);
    expect(answer.closedByServer).toBe(true);
    expect(answer.bytesSent).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a document over limits.maxDocumentBytes from its Content-Length, with or without a key, and keeps nothing', async () => {
    for (const auth of ['', `Authorization: Bearer ${key}\r\n`]) {
      const answer = await rawRequest(port, `POST /v1/a/shop/d/till/q HTTP/1.1\r\n${H}\r\n${auth}Content-Type: text/plain\r\nContent-Length: 2147483648\r\n\r\n`, { trickle: PACED, waitMs: 15_000 });
      expect(answer.statuses, auth).toEqual([413]);
      expect(answer.closedByServer).toBe(true);
      expect(answer.bytesSent).toBeLessThan(PACED.maxBytes);
    }
    expect(readdirSync(path.join(gw.dataDir, 'spool')).filter((name) => !name.startsWith('.'))).toEqual([]);
  });

  it('answers a route that reads no body (GET with a 1 GB body) and hangs up instead of draining it', async () => {
    const answer = await rawRequest(port, `GET /healthz HTTP/1.1\r\n${H}\r\nContent-Length: 1073741824\r\n\r\n`, { trickle: PACED, waitMs: 15_000 });
    expect(answer.statuses).toEqual([413]);
    expect(answer.closedByServer).toBe(true);
    expect(answer.bytesSent).toBeLessThan(PACED.maxBytes);
    // A method the path does not take is refused (405) and hung up on the same way.
    const wrongMethod = await rawRequest(port, `DELETE /healthz HTTP/1.1\r\n${H}\r\nContent-Length: 100000000\r\n\r\n`, { trickle: PACED, waitMs: 15_000 });
    expect(wrongMethod.statuses).toEqual([405]);
    expect(wrongMethod.closedByServer).toBe(true);
    expect(wrongMethod.bytesSent).toBeLessThan(PACED.maxBytes);
  });

  it('lets a key upload limits.perKey.concurrentUploads documents at once: the next is 429 TOO_MANY_UPLOADS, other keys go on', async () => {
    const head = (bearer: string, bytes: number) =>
      `POST /v1/a/shop/d/till/q HTTP/1.1\r\n${H}\r\nAuthorization: Bearer ${bearer}\r\nContent-Type: text/plain\r\nContent-Length: ${bytes}\r\n\r\n`;
    // Two slow uploads hold the key's two slots (a byte every 100 ms, 30 bytes).
    const slow = [0, 1].map(() => rawRequest(port, head(key, 30), { trickle: { chunk: Buffer.from('x'), everyMs: 100, maxBytes: 30 }, untilAnswered: true, waitMs: 15_000 }));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const third = await rawRequest(port, head(key, 1), { trickle: { chunk: Buffer.from('y'), everyMs: 50, maxBytes: 1 }, untilAnswered: true });
    expect(third.statuses).toEqual([429]);
    expect(errorCode(third.json)).toBe('TOO_MANY_UPLOADS');
    expect(Number(third.headers['retry-after'])).toBeGreaterThan(0);
    const other = gw.createKey(['PrintToDevice']).key;
    const fromOther = await fetch(`${gw.url}/v1/a/shop/d/till/q`, { method: 'POST', headers: { authorization: `Bearer ${other}`, 'content-type': 'text/plain' }, body: 'other key\n' });
    expect(fromOther.status).toBe(201);
    const finished = await Promise.all(slow);
    expect(finished.map((answer) => answer.statuses)).toEqual([[201], [201]]);
    // The slots are free again.
    const after = await fetch(`${gw.url}/v1/a/shop/d/till/q`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' }, body: 'after\n' });
    expect(after.status).toBe(201);
    const metrics = await (await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${gw.createKey(['ViewStatus']).key}` } })).text();
    expect(metrics).toMatch(/printgate_http_limited_total\{code="TOO_MANY_UPLOADS"\} 1/);
  });

  it('counts uploads, not answers: ten small receipts in flight from one key (2 upload slots) are all accepted', async () => {
    const pos = gw.createKey(['PrintToDevice']).key;
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        fetch(`${gw.url}/v1/a/shop/d/till/q`, { method: 'POST', headers: { authorization: `Bearer ${pos}`, 'content-type': 'text/plain' }, body: `receipt ${n}\n` }).then((res) => res.status),
      ),
    );
    expect(answers).toEqual(Array(10).fill(201));
  });

  it('frees the slot of an upload whose client went away', async () => {
    const lonely = gw.createKey(['PrintToDevice']).key;
    const head = `POST /v1/a/shop/d/till/q HTTP/1.1\r\n${H}\r\nAuthorization: Bearer ${lonely}\r\nContent-Type: text/plain\r\nContent-Length: 1000\r\n\r\npartial`;
    for (let i = 0; i < 3; i += 1) await rawRequest(port, head, { waitMs: 300 });
    const answer = await fetch(`${gw.url}/v1/a/shop/d/till/q`, { method: 'POST', headers: { authorization: `Bearer ${lonely}`, 'content-type': 'text/plain' }, body: 'whole\n' });
    expect(answer.status).toBe(201);
  });
});
