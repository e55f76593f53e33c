import net from 'node:net';

/** A raw 9100 printer that counts the jobs (connections with bytes) it received. */
export interface CountingSink {
  uri: string;
  port: number;
  jobs(): number;
  waitForJobs(count: number, timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCountingSink(): Promise<CountingSink> {
  let jobs = 0;
  const waiters: { count: number; resolve: () => void }[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let bytes = 0;
    socket.on('data', (chunk: Buffer) => (bytes += chunk.length));
    socket.on('end', () => {
      if (bytes > 0) jobs += 1;
      socket.end();
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
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
