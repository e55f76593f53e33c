import { randomUUID } from 'node:crypto';
import type { Server as NetServer, Socket } from 'node:net';
import type { Logger } from 'pino';
import { ERROR_CODES } from '../errors/codes.js';
import { unmapIpv4 } from '../net/address-list.js';

export interface ConnectionCapsOptions {
  /** server.maxConnectionsPerClient */
  perClient: number;
  /** server.maxConnections */
  total: number;
  /** Plain HTTP (a refusal can be answered) or TLS (it is only closed). */
  plain: boolean;
  log: Logger;
  nowMs?: () => number;
}

/** Seconds a refused client is told to wait. */
const RETRY_AFTER_SECONDS = 5;
/** A refused socket is closed this long after its answer, whatever the client does. */
const REFUSED_LINGER_MS = 1000;
const LOG_EVERY_MS = 60_000;
const MAX_LOGGED_ADDRESSES = 1000;

const refused = new WeakSet<Socket>();

/** True for a socket the caps refused: its requests are not served (it was answered 429 already). */
export function isRefusedSocket(socket: Socket | null | undefined): boolean {
  return socket !== null && socket !== undefined && refused.has(socket);
}

function tooManyAnswer(): string {
  const { status, message } = ERROR_CODES.TOO_MANY_CONNECTIONS;
  const body = JSON.stringify({ error: { code: 'TOO_MANY_CONNECTIONS', message, requestId: randomUUID() } });
  return (
    `HTTP/1.1 ${status} Too Many Requests\r\nContent-Type: application/json; charset=utf-8\r\n` +
    `Content-Length: ${Buffer.byteLength(body)}\r\nRetry-After: ${RETRY_AFTER_SECONDS}\r\nConnection: close\r\n\r\n${body}`
  );
}

/**
 * Bounds the sockets a server holds: at most `perClient` open connections per client address
 * (slowloris and upload floods from one host cannot starve the others: the next one is answered
 * 429 TOO_MANY_CONNECTIONS and closed before a byte of it is parsed) and `total` in all (node
 * closes the rest). The refusal is logged once a minute per address.
 */
export function capConnections(server: NetServer, options: ConnectionCapsOptions): void {
  const nowMs = options.nowMs ?? Date.now;
  const open = new Map<string, number>();
  const logged = new Map<string, { at: number; refused: number }>();
  server.maxConnections = options.total;
  server.prependListener('connection', (socket: Socket) => {
    const address = unmapIpv4(socket.remoteAddress ?? 'unknown');
    const count = (open.get(address) ?? 0) + 1;
    if (count > options.perClient) {
      refused.add(socket);
      socket.on('error', () => undefined);
      if (options.plain) socket.end(tooManyAnswer());
      else socket.destroy();
      setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
      const entry = logged.get(address) ?? { at: Number.NEGATIVE_INFINITY, refused: 0 };
      entry.refused += 1;
      if (nowMs() - entry.at >= LOG_EVERY_MS) {
        options.log.warn({ address, open: count - 1, refused: entry.refused, limit: options.perClient }, 'connections refused: too many from one address');
        entry.at = nowMs();
        entry.refused = 0;
      }
      if (logged.size >= MAX_LOGGED_ADDRESSES && !logged.has(address)) logged.clear();
      logged.set(address, entry);
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
