import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';
import { parseAnswers, SlowSocket } from '../helpers/raw-http.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Slow clients cannot starve anyone: 500 slowloris sockets from other loopback addresses (each
 * sending its headers a byte at a time) are held while a real client is answered; one address
 * past server.maxConnectionsPerClient is refused 429 at once; headers that never finish are closed
 * at server.timeouts.headersSeconds. Counts, not timings.
 */

const SLOW = 500;
/** Seven addresses of the loopback network: at most 72 each, under the per-client cap of 80. */
const ADDRESSES = Array.from({ length: 7 }, (_, i) => `127.0.0.${i + 2}`);

describe('slowloris', () => {
  let gw: TestGateway;
  let sink: TcpSink;
  let port: number;
  const opened: SlowSocket[] = [];
  beforeAll(async () => {
    sink = await startTcpSink();
    gw = await startTestGateway({
      server: { host: '127.0.0.1', port: 0, maxConnectionsPerClient: 80, timeouts: { headersSeconds: 3 } },
      printers: [{ name: 'Till', group: 'shop', appId: 'till', uri: sink.uri, language: 'raw' }],
    });
    port = Number(new URL(gw.url).port);
  });
  afterAll(async () => {
    for (const socket of opened) socket.close();
    await gw.stop();
    await sink.close();
  });

  it('answers a real client while 500 slow sockets are open, then closes them at the headers timeout', async () => {
    const key = gw.createKey(['PrintToDevice', 'ViewStatus']).key;
    const slow = Array.from({ length: SLOW }, (_, i) => new SlowSocket(port, ADDRESSES[i % ADDRESSES.length]!));
    opened.push(...slow);
    await waitFor('500 slow sockets connected', () => slow.every((socket) => socket.connected), 10_000);
    // Let them drip a few header bytes each, so each is a request in progress on the server.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(slow.filter((socket) => socket.open)).toHaveLength(SLOW);

    const health = await fetch(`${gw.url}/healthz`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(10_000) });
    expect(health.status).toBe(200);
    const printed = await fetch(`${gw.url}/v1/a/shop/d/till/q`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' }, body: 'while 500 hang\n', signal: AbortSignal.timeout(10_000) });
    expect(printed.status).toBe(201);
    // Answered while every slow socket was still open.
    expect(slow.filter((socket) => socket.open)).toHaveLength(SLOW);

    await waitFor('the slow sockets closed by the server', () => slow.every((socket) => socket.closedByServer), 15_000);
    const timedOut = slow.filter((socket) => parseAnswers(socket.answer).statuses[0] === 408);
    expect(timedOut).toHaveLength(SLOW);
    expect(JSON.parse(slow[0]!.answer.slice(slow[0]!.answer.indexOf('{')))).toMatchObject({ error: { code: 'REQUEST_TIMEOUT' } });
    await sink.waitForText('while 500 hang');
  });

  it('refuses one address past server.maxConnectionsPerClient with 429 TOO_MANY_CONNECTIONS, and serves the others', async () => {
    const flood = Array.from({ length: 120 }, () => new SlowSocket(port, '127.0.0.20'));
    opened.push(...flood);
    const refusedNow = (): SlowSocket[] => flood.filter((socket) => socket.closedByServer && parseAnswers(socket.answer).statuses[0] === 429);
    await waitFor('the flood connected', () => flood.every((socket) => socket.connected), 10_000);
    await waitFor('40 refusals', () => refusedNow().length >= 40, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const refused = refusedNow();
    expect(refused).toHaveLength(120 - 80);
    expect(JSON.parse(refused[0]!.answer.slice(refused[0]!.answer.indexOf('{')))).toMatchObject({ error: { code: 'TOO_MANY_CONNECTIONS' } });
    expect(parseAnswers(refused[0]!.answer).headers['retry-after']).toBe('5');
    expect(flood.filter((socket) => socket.open)).toHaveLength(80);
    // Another client is not affected.
    expect((await fetch(`${gw.url}/healthz`, { signal: AbortSignal.timeout(10_000) })).status).toBe(200);
    for (const socket of flood) socket.close();
  });
});
