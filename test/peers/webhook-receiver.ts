import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '../helpers/wait-for.js';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json(): Record<string, unknown>;
}

/** accept: 200; fail: 500; stall: never answers (until closed). */
export type ReceiverBehaviour = 'accept' | 'fail' | 'stall';

export interface WebhookReceiver {
  port: number;
  /** http://127.0.0.1:port */
  url: string;
  /** Requests answered 2xx (what a real receiver would have processed). */
  accepted(): ReceivedRequest[];
  /** Every request that arrived, whatever the answer. */
  all(): ReceivedRequest[];
  setBehaviour(behaviour: ReceiverBehaviour): void;
  waitForAccepted(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  waitForAny(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 recording webhook POSTs; it can fail (500) or stall. */
export async function startWebhookReceiver(options: { port?: number; behaviour?: ReceiverBehaviour } = {}): Promise<WebhookReceiver> {
  let behaviour: ReceiverBehaviour = options.behaviour ?? 'accept';
  const accepted: ReceivedRequest[] = [];
  const all: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const received: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        json: () => JSON.parse(body) as Record<string, unknown>,
      };
      all.push(received);
      if (behaviour === 'stall') return;
      if (behaviour === 'fail') {
        res.writeHead(500).end('down for maintenance');
        return;
      }
      accepted.push(received);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    accepted: () => [...accepted],
    all: () => [...all],
    setBehaviour: (next) => {
      behaviour = next;
    },
    waitForAccepted: (count, timeoutMs = 15_000) =>
      waitFor(`${count} webhook(s) accepted on port ${port}`, () => (accepted.length >= count ? [...accepted] : null), timeoutMs),
    waitForAny: (count, timeoutMs = 15_000) =>
      waitFor(`${count} webhook request(s) on port ${port}`, () => (all.length >= count ? [...all] : null), timeoutMs),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
