import type { IncomingMessage } from 'node:http';

/** What a request's Origin header means for it. */
export type OriginDecision =
  /** No Origin (not a browser, or a same-origin GET), or a page of the gateway itself: no CORS headers. */
  | { kind: 'same-origin' }
  /** A page of an origin in server.cors.origins: answered with these headers. */
  | { kind: 'cors'; headers: Record<string, string> }
  /** A preflight (OPTIONS) of an allowed origin: answered 204 with these headers, nothing else runs. */
  | { kind: 'preflight'; headers: Record<string, string> }
  /** Any other browser origin: refused (403 ORIGIN_NOT_ALLOWED), before a key or body is looked at. */
  | { kind: 'refused'; origin: string };

const METHODS = 'GET, POST, PUT, PATCH, DELETE';
/** Response headers a page may read besides the CORS-safelisted ones. */
const EXPOSED = 'X-Request-Id, Retry-After, Location, Allow, Content-Disposition';
const HEADER_LIST = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+(?:\s*,\s*[A-Za-z0-9!#$%&'*+.^_`|~-]+)*$/;

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Is the origin the gateway itself: its host[:port] is the request's Host (default ports aside)? */
function isOwnOrigin(origin: string, host: string | undefined): boolean {
  const match = /^(https?):\/\/([^/\s]+)$/i.exec(origin);
  if (!match || host === undefined) return false;
  const defaultPort = match[1]!.toLowerCase() === 'https' ? /:443$/ : /:80$/;
  return match[2]!.toLowerCase().replace(defaultPort, '') === host.trim().toLowerCase().replace(/\.(?=:|$)/, '').replace(defaultPort, '');
}

/**
 * No CORS unless configured, per origin (server.cors.origins). A browser names the page's origin in
 * the Origin header of every cross-origin request and of same-origin writes; printers, POS apps and
 * curl send none. So: no Origin, or the gateway's own origin → served as before; an origin in the
 * list → served with Access-Control-Allow-Origin (preflights answered); any other origin → refused,
 * so a page elsewhere cannot even make the gateway act on a "simple" cross-origin POST.
 */
export class OriginPolicy {
  private readonly any: boolean;
  private readonly origins: Set<string>;

  constructor(origins: readonly string[]) {
    this.any = origins.includes('*');
    this.origins = new Set(origins.map((origin) => origin.toLowerCase().replace(/\/$/, '')));
  }

  decide(req: IncomingMessage): OriginDecision {
    const origin = header(req, 'origin');
    if (origin === undefined) return { kind: 'same-origin' };
    if (isOwnOrigin(origin, header(req, 'host'))) return { kind: 'same-origin' };
    if (!this.any && !this.origins.has(origin.toLowerCase())) return { kind: 'refused', origin: origin.slice(0, 200) };
    const headers: Record<string, string> = { 'Access-Control-Allow-Origin': origin, Vary: 'Origin' };
    const preflightMethod = header(req, 'access-control-request-method');
    if (req.method === 'OPTIONS' && preflightMethod !== undefined) {
      headers['Access-Control-Allow-Methods'] = METHODS;
      const requested = header(req, 'access-control-request-headers');
      if (requested !== undefined && requested.length <= 1024 && HEADER_LIST.test(requested.trim())) headers['Access-Control-Allow-Headers'] = requested.trim();
      headers['Access-Control-Max-Age'] = '600';
      return { kind: 'preflight', headers };
    }
    headers['Access-Control-Expose-Headers'] = EXPOSED;
    return { kind: 'cors', headers };
  }
}
