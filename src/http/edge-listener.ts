import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { ERROR_CODES, type ErrorCode } from '../errors/codes.js';
import { isRefusedSocket } from './connection-caps.js';
import type { HostCheck } from './host-check.js';
import type { OriginPolicy } from './origin-policy.js';
import { hangUpOnUnreadBody } from './unread-body.js';

export interface EdgeListenerDeps {
  hosts: HostCheck;
  origins: OriginPolicy;
  log: Logger;
}

/** A JSON error answer written without express (the request never reaches the app). */
export function answerError(res: ServerResponse, code: ErrorCode, message?: string, headers: Record<string, string> = {}): string {
  const requestId = randomUUID();
  const spec = ERROR_CODES[code];
  const body = JSON.stringify({ error: { code, message: message ?? spec.message, requestId } });
  res.writeHead(spec.status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'X-Request-Id': requestId,
  });
  res.end(body);
  return requestId;
}

function printable(value: string): string {
  return value.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
}

/**
 * What every request meets before the app: the socket's connection cap, the hang-up for bodies
 * left unread, the Host check (DNS rebinding) and the Origin policy (CORS per configured origin,
 * other browser origins refused). Refusals are JSON with a catalogue code, logged like requests.
 */
export function edgeListener(app: RequestListener, { hosts, origins, log }: EdgeListenerDeps): RequestListener {
  const refuse = (req: IncomingMessage, res: ServerResponse, code: ErrorCode, message?: string, headers?: Record<string, string>): void => {
    const reqId = answerError(res, code, message, headers);
    const path = (req.url ?? '').split('?')[0]!.slice(0, 200);
    log.info({ reqId, method: req.method, path, status: ERROR_CODES[code].status, code, address: req.socket.remoteAddress }, 'request refused');
  };
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    // Answered 429 TOO_MANY_CONNECTIONS when it connected; whatever it sends is not served.
    if (isRefusedSocket(req.socket)) return;
    hangUpOnUnreadBody(req, res);
    const host = req.headers.host;
    if (host === undefined) {
      if (req.httpVersion !== '1.0') {
        refuse(req, res, 'BAD_REQUEST', 'HTTP/1.1 requires a Host header naming this gateway.', { Connection: 'close' });
        return;
      }
    } else if (!hosts.allows(host)) {
      refuse(req, res, 'HOST_NOT_ALLOWED', `Host "${printable(host)}" is not one of this gateway's names or addresses: use one of them, or add it to server.allowedHosts.`);
      return;
    }
    const origin = origins.decide(req);
    switch (origin.kind) {
      case 'refused':
        refuse(req, res, 'ORIGIN_NOT_ALLOWED', `Pages from ${printable(origin.origin)} may not call this gateway: add the origin to server.cors.origins.`, { Vary: 'Origin' });
        return;
      case 'preflight':
        res.writeHead(204, { ...origin.headers, 'Content-Length': '0' });
        res.end();
        return;
      case 'cors':
        for (const [name, value] of Object.entries(origin.headers)) res.setHeader(name, value);
        break;
      case 'same-origin':
        break;
    }
    app(req, res);
  };
  // What it guards, for tests that look at the express app behind the edge.
  return Object.assign(listener, { app });
}
