/** A reply as the Star API tests read it. */
export interface StarReply {
  status: number;
  text: string;
  json: () => any;
  headers: Headers;
}

export type StarCall = (method: string, path: string, key: string | null, body?: unknown, headers?: Record<string, string>) => Promise<StarReply>;

/**
 * Calls a gateway's Star API as a Star client does: the key in Star-Api-Key, an object body as
 * JSON, a string body as it is. `base` is read at each call (the gateway starts in beforeAll).
 */
export function starCalls(base: () => string): StarCall {
  return async (method, path, key, body, headers = {}) => {
    const init: RequestInit = { method, headers: { ...(key ? { 'Star-Api-Key': key } : {}), ...headers } };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['Content-Type'] ??= 'application/json';
    }
    const res = await fetch(`${base()}${path}`, init);
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text), headers: res.headers };
  };
}
