import net from 'node:net';

/** A raw 9100 printer that counts the jobs (connections with bytes) it received. */
export interface CountingSink {
  uri: string;
  port: number;
  jobs(): number;
  waitForJobs(count: number, timeoutMs: number): Promise<void>;
  /**
   * Resolves with the time (performance.now()) the last byte of the job whose first line is
   * `#${tag}` arrived; jobs without such a line are only counted.
   */
  waitForTagged(tag: string, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

const HASH = 0x23;
const NEWLINE = 0x0a;

export async function startCountingSink(): Promise<CountingSink> {
  let jobs = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const arrivals = new Map<string, number>();
  const tagWaiters = new Map<string, (at: number) => void>();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let bytes = 0;
    let head = Buffer.alloc(0);
    let lastByteAt = 0;
    socket.on('data', (chunk: Buffer) => {
      lastByteAt = performance.now();
      bytes += chunk.length;
      if (head.length < 128 && !head.includes(NEWLINE)) head = Buffer.concat([head, chunk]).subarray(0, 128);
    });
    socket.on('end', () => {
      if (bytes > 0) jobs += 1;
      socket.end();
      const end = head.indexOf(NEWLINE);
      if (head[0] === HASH && end > 0) {
        const tag = head.subarray(1, end).toString('latin1');
        arrivals.set(tag, lastByteAt);
        tagWaiters.get(tag)?.(lastByteAt);
        tagWaiters.delete(tag);
      }
      for (const waiter of waiters.filter((w) => jobs >= w.count)) waiter.resolve();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    uri: `socket://127.0.0.1:${port}`,
    port,
    jobs: () => jobs,
    waitForJobs: (count, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        if (jobs >= count) return resolve();
        const timer = setTimeout(() => reject(new Error(`only ${jobs} of ${count} jobs arrived within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ count, resolve: () => (clearTimeout(timer), resolve()) });
      }),
    waitForTagged: (tag, timeoutMs) =>
      new Promise<number>((resolve, reject) => {
        const arrived = arrivals.get(tag);
        if (arrived !== undefined) return resolve(arrived);
        const timer = setTimeout(() => {
          tagWaiters.delete(tag);
          reject(new Error(`job #${tag} did not arrive within ${timeoutMs} ms`));
        }, timeoutMs);
        tagWaiters.set(tag, (at) => {
          clearTimeout(timer);
          resolve(at);
        });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
