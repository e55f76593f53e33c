import net from 'node:net';

/**
 * A raw 9100 printer for chaos runs that records each connection as one job, by the number the
 * job's body carries: it reads until the sender half-closes, then closes its side (the socket
 * transport's confirmation). It can misbehave as printers do: hold a job on the wire, stop
 * reading altogether (stall), reset connections mid-job, go away and come back on the same port.
 */
export interface ChaosSink {
  name: string;
  port: number;
  uri: string;
  /** Job numbers in the order their connections ended, repeats included. */
  numbers(): number[];
  /** Connections that carried bytes that are not one whole job (torn by a crash, an outage, a reset). */
  torn(): Buffer[];
  /** Connections that carried bytes. */
  jobCount(): number;
  /** Holds the connection of the next job after `after` jobs open (never closes it): a job stuck on the wire. */
  stallAfter(after: number): void;
  /** The job number being held on the wire, if any. */
  stalled(): number | null;
  /** Accepts connections but reads nothing from them (until resume). */
  stopReading(): void;
  /** Reads again, from every connection it stopped reading. */
  resume(): void;
  /** Resets every `n`th connection after its first bytes (0 = never). */
  resetEvery(n: number): void;
  /** Stops listening (new connections are refused); jobs already on the wire finish. */
  goAway(): Promise<void>;
  /** Listens again on the same port. */
  comeBack(): Promise<void>;
  close(): Promise<void>;
}

const BODY = /^job (\d{4,6}) [0-9a-f]+ end (\d{4,6})\n$/;

/** The job number a connection carried, or null for a torn or foreign body. */
export function numberOf(bytes: Buffer): number | null {
  const match = BODY.exec(bytes.toString('latin1'));
  return match && match[1] === match[2] ? Number(match[1]) : null;
}

export async function startChaosSink(name = 'printer'): Promise<ChaosSink> {
  const numbers: number[] = [];
  const torn: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const paused = new Set<net.Socket>();
  let stallAt: number | null = null;
  let stalledNumber: number | null = null;
  let reading = true;
  let resetN = 0;
  let connections = 0;
  let jobs = 0;
  let server: net.Server | null = null;
  let port = 0;

  const onConnection = (socket: net.Socket): void => {
    sockets.add(socket);
    connections += 1;
    const resetThis = resetN > 0 && connections % resetN === 0;
    const chunks: Buffer[] = [];
    let recorded = false;
    const record = (): void => {
      if (recorded) return;
      recorded = true;
      if (chunks.length === 0) return; // a reachability probe
      const bytes = Buffer.concat(chunks);
      jobs += 1;
      const n = numberOf(bytes);
      if (n === null) torn.push(bytes);
      else numbers.push(n);
      if (n !== null && stallAt !== null && jobs > stallAt) {
        stallAt = null;
        stalledNumber = n;
        return; // never close: the gateway keeps waiting for the printer's confirmation
      }
      socket.end();
    };
    socket.on('data', (chunk: Buffer) => {
      if (resetThis) {
        // Part of the job arrived, then the printer resets the connection: nothing printed.
        recorded = true;
        torn.push(chunk);
        socket.resetAndDestroy();
        return;
      }
      chunks.push(chunk);
    });
    socket.on('end', record);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      if (!resetThis) record();
      sockets.delete(socket);
      paused.delete(socket);
    });
    if (!reading) {
      socket.pause();
      paused.add(socket);
    }
  };
  const listen = async (): Promise<void> => {
    const next = net.createServer({ allowHalfOpen: true, pauseOnConnect: false }, onConnection);
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    port = (next.address() as net.AddressInfo).port;
    server = next;
  };
  const stopListening = (): Promise<void> =>
    new Promise<void>((resolve) => {
      const current = server;
      server = null;
      if (!current) return resolve();
      current.close(() => resolve());
    });

  await listen();
  return {
    name,
    port,
    uri: `socket://127.0.0.1:${port}`,
    numbers: () => [...numbers],
    torn: () => [...torn],
    jobCount: () => jobs,
    stallAfter: (after) => {
      stallAt = after;
    },
    stalled: () => stalledNumber,
    stopReading: () => {
      reading = false;
      for (const socket of sockets) {
        socket.pause();
        paused.add(socket);
      }
    },
    resume: () => {
      reading = true;
      for (const socket of paused) socket.resume();
      paused.clear();
    },
    resetEvery: (n) => {
      resetN = n;
    },
    // server.close() resolves once the connections on the wire have ended by themselves.
    goAway: stopListening,
    comeBack: listen,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await stopListening();
    },
  };
}
