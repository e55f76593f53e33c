import net from 'node:net';
import { waitFor } from '../helpers/wait-for.js';

export type SinkBehaviour =
  /** Reads everything, closes when the sender half-closes (a well-behaved printer). */
  | 'accept'
  /** Reads everything but never closes its side. */
  | 'never-close'
  /** Resets the connection after the first chunk. */
  | 'reset';

export interface TcpSink {
  port: number;
  uri: string;
  /** All bytes received, every connection appended in order. */
  received(): Buffer;
  /** One buffer per completed connection that carried bytes (reachability probes carry none). */
  jobs(): Buffer[];
  connections(): number;
  waitForBytes(count: number, timeoutMs?: number): Promise<Buffer>;
  waitForJobs(count: number, timeoutMs?: number): Promise<Buffer[]>;
  /**
   * Resolves once `text` arrived on completed connections (jobs queued together may share one
   * connection, so count documents by what they say, not by connections).
   */
  waitForText(text: string, timeoutMs?: number): Promise<string>;
  setBehaviour(behaviour: SinkBehaviour): void;
  close(): Promise<void>;
}

/** A raw TCP 9100 printer on 127.0.0.1: a real socket peer for the socket transport. */
export async function startTcpSink(options: { port?: number; behaviour?: SinkBehaviour } = {}): Promise<TcpSink> {
  let behaviour: SinkBehaviour = options.behaviour ?? 'accept';
  const chunks: Buffer[] = [];
  const finished: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  let connectionCount = 0;
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    connectionCount += 1;
    sockets.add(socket);
    const mine: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      mine.push(chunk);
      if (behaviour === 'reset') socket.resetAndDestroy();
    });
    socket.on('end', () => {
      if (mine.length > 0) finished.push(Buffer.concat(mine));
      if (behaviour !== 'never-close') socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    uri: `socket://127.0.0.1:${port}`,
    received: () => Buffer.concat(chunks),
    jobs: () => [...finished],
    connections: () => connectionCount,
    waitForBytes: (count, timeoutMs = 10_000) =>
      waitFor(`${count} bytes at the sink on port ${port}`, () => {
        const all = Buffer.concat(chunks);
        return all.length >= count ? all : null;
      }, timeoutMs),
    waitForJobs: (count, timeoutMs = 10_000) =>
      waitFor(`${count} jobs at the sink on port ${port}`, () => (finished.length >= count ? [...finished] : null), timeoutMs),
    waitForText: (text, timeoutMs = 10_000) =>
      waitFor(`"${text.slice(0, 40)}" at the sink on port ${port}`, () => {
        const all = Buffer.concat(finished).toString('latin1');
        return all.includes(text) ? all : null;
      }, timeoutMs),
    setBehaviour: (next) => {
      behaviour = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
