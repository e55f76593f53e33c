import http from 'node:http';

export interface CallResult {
  status: number;
  /** 'timeout' | error code, or null for an answer. */
  error: string | null;
  ms: number;
  body: Buffer;
}

export interface CallOptions {
  method: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  agent?: http.Agent;
  /** Read the status, then hang up (event streams). */
  statusOnly?: boolean;
  maxBodyBytes?: number;
}

/** One HTTP request with node's client (any method, any body), bounded in time. */
export function call(url: string, options: CallOptions): Promise<CallResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: Omit<CallResult, 'ms'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, ms: performance.now() - started });
    };
    const request = http.request(url, { method: options.method, headers: options.headers ?? {}, agent: options.agent ?? false }, (response) => {
      const status = response.statusCode ?? 0;
      if (options.statusOnly) {
        response.destroy();
        done({ status, error: null, body: Buffer.alloc(0) });
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= (options.maxBodyBytes ?? 1024 * 1024)) chunks.push(chunk);
      });
      response.on('end', () => done({ status, error: null, body: Buffer.concat(chunks) }));
      response.on('error', (error: NodeJS.ErrnoException) => done({ status, error: error.code ?? error.message, body: Buffer.concat(chunks) }));
    });
    const timer = setTimeout(() => {
      request.destroy();
      done({ status: 0, error: 'timeout', body: Buffer.alloc(0) });
    }, options.timeoutMs);
    request.on('error', (error: NodeJS.ErrnoException) => done({ status: 0, error: error.code ?? error.message, body: Buffer.alloc(0) }));
    request.end(options.body);
  });
}

/** Samples GET /healthz every `everyMs` until stopped: latencies and failures. */
export function sampleHealth(baseUrl: () => string | null, everyMs = 100): { stop(): Promise<{ ms: number[]; failures: number }> } {
  const ms: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const url = baseUrl();
      if (url !== null) {
        const result = await call(`${url}/healthz`, { method: 'GET', timeoutMs: 10_000 });
        if (result.error === null && result.status > 0 && result.status < 500) ms.push(result.ms);
        else failures += 1;
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return { ms, failures };
    },
  };
}
