import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';

/**
 * The submit floor: a bare node:http server that reads the request body and answers 201 with a
 * small JSON, like a print submit without authentication, storage or a queue. Run as its own
 * process (`node bare-201-server.js`), so it stands where printgate's serve process stands.
 */
export interface Bare201Server {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startBare201Server(timeoutMs = 10_000): Promise<Bare201Server> {
  const child: ChildProcess = spawn(process.execPath, [path.join(import.meta.dirname, 'bare-201-server.js')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the bare server did not listen within ${timeoutMs} ms`)), timeoutMs);
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening (\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`the bare server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}/q`,
    pid: child.pid ?? 0,
    stop: async () => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
    },
  };
}

function serve(): void {
  let id = 0;
  const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk: Buffer) => (bytes += chunk.length));
    req.on('end', () => {
      id += 1;
      const body = JSON.stringify({ JobId: `job_${id}`, QueuedJobs: 0, bytes });
      res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  });
  server.keepAliveTimeout = 5000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`));
  process.on('SIGTERM', () => process.exit(0));
  setTimeout(() => process.exit(0), 6 * 3600_000).unref();
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) serve();
