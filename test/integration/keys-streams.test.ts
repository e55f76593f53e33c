import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * An open event stream (GET /api/v1/events) of a key that is revoked, disabled, expired or loses
 * ViewJobs is closed at once — with no job or printer event to trigger it. The stream's own
 * heartbeat comes every 15 s; each wait here is bounded well below that, so only the key-change
 * path can explain a pass.
 */

const BEFORE_HEARTBEAT_MS = 8_000;

interface StreamError {
  code: string;
  message: string;
}

interface OpenStream {
  status: number;
  /** The `event: error` frame sent before the stream ended, once it has. */
  error(): StreamError | null;
  ended(): boolean;
  close(): void;
}

function openStream(url: string, key: string): Promise<OpenStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/api/v1/events`, { headers: { authorization: `Bearer ${key}`, accept: 'text/event-stream' } }, (res) => {
      let text = '';
      let ended = false;
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => (ended = true));
      res.on('close', () => (ended = true));
      resolve({
        status: res.statusCode ?? 0,
        error: () => {
          const match = /event: error\ndata: (.*)\n\n/.exec(text);
          return match ? (JSON.parse(match[1]!) as StreamError) : null;
        },
        ended: () => ended,
        close: () => req.destroy(),
      });
    });
    req.setTimeout(30_000, () => req.destroy(new Error('stream test timed out')));
    req.on('error', reject);
  });
}

async function closedWith(stream: OpenStream, code: string): Promise<void> {
  await waitFor(`the stream to close with ${code}`, () => stream.ended(), BEFORE_HEARTBEAT_MS);
  expect(stream.error()?.code).toBe(code);
}

describe('event streams of keys that stop being valid', () => {
  let gw: TestGateway;
  let admin: { id: string; key: string };
  const streams: OpenStream[] = [];
  beforeAll(async () => {
    gw = await startTestGateway({ limits: { perKey: { ratePerSecond: 1000, burst: 1000 } } });
    admin = gw.createKey(['ManageKeys', 'ViewJobs', 'PrintToDevice'], { name: 'admin' });
  });
  afterAll(async () => {
    streams.forEach((stream) => stream.close());
    await gw.stop();
  });

  async function stream(key: string): Promise<OpenStream> {
    const opened = await openStream(gw.url, key);
    streams.push(opened);
    expect(opened.status).toBe(200);
    return opened;
  }

  it('DELETE /api/v1/keys/{id} closes the key’s open streams, and only those', async () => {
    const doomed = gw.createKey(['ViewJobs'], { name: 'doomed' });
    const bystander = gw.createKey(['ViewJobs'], { name: 'bystander' });
    const [a, b, other] = [await stream(doomed.key), await stream(doomed.key), await stream(bystander.key)];
    const answer = await fetch(`${gw.url}/api/v1/keys/${doomed.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${admin.key}` } });
    expect(answer.status).toBe(200);
    await closedWith(a, 'TOKEN_REVOKED');
    await closedWith(b, 'TOKEN_REVOKED');
    expect(other.ended()).toBe(false);
    expect(gw.logs.find('event stream closed: key no longer valid').some((line) => line.keyId === doomed.id)).toBe(true);
  });

  it('a revoke through another database connection (as the CLI does) closes the stream', async () => {
    const doomed = gw.createKey(['ViewJobs']);
    const open = await stream(doomed.key);
    gw.withKeyStore((store) => store.revoke(doomed.id));
    await closedWith(open, 'TOKEN_REVOKED');
  });

  it('disable from another connection closes the stream with TOKEN_DISABLED', async () => {
    const paused = gw.createKey(['ViewJobs']);
    const open = await stream(paused.key);
    gw.withKeyStore((store) => store.setDisabled(paused.id, true));
    await closedWith(open, 'TOKEN_DISABLED');
  });

  it('an edit that takes ViewJobs away closes the stream with INSUFFICIENT_SCOPE', async () => {
    const narrowed = gw.createKey(['ViewJobs', 'PrintToDevice']);
    const open = await stream(narrowed.key);
    const answer = await fetch(`${gw.url}/api/v1/keys/${narrowed.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${admin.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ permissions: ['PrintToDevice'] }),
    });
    expect(answer.status).toBe(200);
    await closedWith(open, 'INSUFFICIENT_SCOPE');
  });

  it('the expiry instant closes the stream, with no write to the database', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const brief = gw.createKey(['ViewJobs'], { expiresAt });
    const open = await stream(brief.key);
    expect(open.ended()).toBe(false);
    await closedWith(open, 'TOKEN_EXPIRED');
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
  });
});
