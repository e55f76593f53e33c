import net from 'node:net';

/**
 * A raw 9100 printer that counts receipts by a marker each one carries once, so it counts right
 * whether a sender opens a connection per job (CUPS's socket backend, the floor) or sends a
 * printer's queued jobs back to back on one (printgate's sessions). It reads until the sender
 * half-closes, then closes its side, as a plain network printer without a back-channel does.
 */
export interface ReceiptSink {
  uri: string;
  port: number;
  /** Markers seen so far (all connections). */
  receipts(): number;
  bytes(): number;
  /** Resolves (with performance.now() of the marker's arrival) once `count` markers arrived in total. */
  waitForReceipts(count: number, timeoutMs: number): Promise<number>;
  /** The bytes of every connection that ended, in order (kept only while capturing). */
  captured(): Buffer[];
  capture(on: boolean): void;
  close(): Promise<void>;
}

export async function startReceiptSink(marker: Buffer): Promise<ReceiptSink> {
  let receipts = 0;
  let bytes = 0;
  let lastAt = 0;
  let capturing = false;
  const captured: Buffer[] = [];
  const waiters: { count: number; resolve: (at: number) => void }[] = [];
  const sockets = new Set<net.Socket>();
  const keep = marker.length - 1;
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let tail: Buffer = Buffer.alloc(0);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (capturing) chunks.push(chunk);
      const window = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk;
      let found = 0;
      for (let at = window.indexOf(marker); at !== -1; at = window.indexOf(marker, at + marker.length)) found += 1;
      tail = window.subarray(Math.max(0, window.length - keep));
      // A marker wholly inside the kept tail was counted already; the tail is shorter than the marker, so none is.
      if (found === 0) return;
      receipts += found;
      lastAt = performance.now();
      for (const waiter of waiters.filter((w) => receipts >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(lastAt);
      }
    });
    socket.on('end', () => {
      if (capturing) captured.push(Buffer.concat(chunks));
      socket.end();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  server.maxConnections = 10_000;
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog: 1024 }, resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    uri: `socket://127.0.0.1:${port}`,
    port,
    receipts: () => receipts,
    bytes: () => bytes,
    waitForReceipts: (count, timeoutMs) =>
      new Promise<number>((resolve, reject) => {
        if (receipts >= count) return resolve(lastAt);
        const timer = setTimeout(() => {
          const index = waiters.findIndex((w) => w.resolve === done);
          if (index >= 0) waiters.splice(index, 1);
          reject(new Error(`only ${receipts} of ${count} receipts reached the sink within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = (at: number): void => {
          clearTimeout(timer);
          resolve(at);
        };
        waiters.push({ count, resolve: done });
      }),
    captured: () => captured,
    capture: (on) => {
      capturing = on;
      if (on) captured.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
