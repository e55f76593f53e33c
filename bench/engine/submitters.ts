import { createRequire } from 'node:module';
import http from 'node:http';
import net from 'node:net';
import { call } from '../harness/http-call.js';

/** Sends job `i` to printer `printer`; rejects when it was not accepted (a 429 is not a job). */
export type Submit = (i: number, printer: number) => Promise<void>;

const SUBMIT_TIMEOUT_MS = 60_000;

/** A keep-alive agent: the same kind for printgate, CUPS and the bare server. */
export function keepAliveAgent(sockets: number): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets: sockets });
}

/** POST the document to printgate's Star print path of each printer; only a 201 counts. */
export function printgateSubmit(options: { url: string; key: string; path: (printer: number) => string; body: Buffer; contentType: string; agent: http.Agent }): Submit {
  const headers = { authorization: `Bearer ${options.key}`, 'content-type': options.contentType };
  return async (_i, printer) => {
    const answer = await call(`${options.url}${options.path(printer)}`, { method: 'POST', headers, body: options.body, agent: options.agent, timeoutMs: SUBMIT_TIMEOUT_MS });
    if (answer.status !== 201) throw new Error(`printgate answered ${answer.status || answer.error}: ${answer.body.toString('utf8').slice(0, 200)}`);
  };
}

/** POST to a bare node:http server (it answers 201 with a small JSON). */
export function bareSubmit(options: { url: string; body: Buffer; agent: http.Agent }): Submit {
  return async () => {
    const answer = await call(options.url, { method: 'POST', headers: { 'content-type': 'text/plain', authorization: 'Bearer x' }, body: options.body, agent: options.agent, timeoutMs: SUBMIT_TIMEOUT_MS });
    if (answer.status !== 201) throw new Error(`the bare server answered ${answer.status || answer.error}`);
  };
}

interface IppHandle {
  execute(op: string, msg: Record<string, unknown>, cb: (err: Error | null, res: { statusCode: string } | null) => void): void;
}
const ipp = createRequire(import.meta.url)('@sealsystems/ipp') as { Printer: new (url: string, opts: { timeout: number; agent?: http.Agent }) => IppHandle };

/** IPP Print-Job of the bytes to a CUPS raw queue per printer; only successful-ok counts. */
export function cupsSubmit(options: { printerUrls: readonly string[]; body: Buffer; agent: http.Agent }): Submit {
  const printers = options.printerUrls.map((url) => new ipp.Printer(url, { timeout: SUBMIT_TIMEOUT_MS, agent: options.agent }));
  return (_i, printer) =>
    new Promise<void>((resolve, reject) => {
      printers[printer % printers.length]!.execute(
        'Print-Job',
        { 'operation-attributes-tag': { 'requesting-user-name': 'bench', 'job-name': 'receipt', 'document-format': 'application/octet-stream' }, data: options.body },
        (error, response) => {
          if (error) reject(error);
          else if (response?.statusCode.startsWith('successful')) resolve();
          else reject(new Error(`CUPS answered ${response?.statusCode ?? 'nothing'}`));
        },
      );
    });
}

/** The floor: the same bytes straight to the printer's socket, a connection per job (as CUPS's socket backend does). */
export function floorSubmit(options: { ports: readonly number[]; body: Buffer }): Submit {
  return (_i, printer) =>
    new Promise<void>((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port: options.ports[printer % options.ports.length]! }, () => socket.end(options.body));
      socket.setTimeout(SUBMIT_TIMEOUT_MS, () => socket.destroy(new Error('the sink did not close within the timeout')));
      socket.on('close', (hadError) => (hadError ? undefined : resolve()));
      socket.on('error', reject);
      socket.resume();
    });
}
