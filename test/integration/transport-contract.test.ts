import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileTransport } from '../../drivers/transports/file-transport.js';
import { IppTransport } from '../../drivers/transports/ipp-transport.js';
import { SerialTransport } from '../../drivers/transports/serial-transport.js';
import { SocketTransport } from '../../drivers/transports/socket-transport.js';
import { UsbTransport } from '../../drivers/transports/usb-transport.js';
import type { SendMeta, Transport, TransportContext } from '../../src/driver-api/index.js';
import { DriverError } from '../../src/driver-api/index.js';
import { ERROR_CODES } from '../../src/errors/codes.js';
import { waitFor } from '../helpers/wait-for.js';
import { FakeUsbSysfs, startFifoReader, type FifoReader } from '../peers/fake-usb-sysfs.js';
import { freePort, startIppEvePrinter } from '../peers/ippeveprinter.js';
import { startPtyPair } from '../peers/socat-pty.js';
import { startTcpSink } from '../peers/tcp-sink.js';
import { failure, within } from '../helpers/settle.js';

/**
 * The one contract every transport keeps with the job engine, run against each transport's real
 * peer. What is particular to a transport (IPP formats and job states, serial options and port
 * loss, USB re-plug through sysfs) is in its own test file; here is only what the printer worker
 * relies on from all of them.
 */

const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
/** Long transport timeouts: a send that ends within ABORT_BOUND_MS after an abort ended because of it. */
const context: TransportContext = { log: silent, connectTimeoutMs: 20_000, confirmTimeoutMs: 30_000, stallMs: 30_000 };
const ABORT_BOUND_MS = 5000;
/** With 300 ms transport timeouts, a send to a hung device must have ended well within this. */
const HANG_BOUND_MS = 15_000;
const MIB = 1024 * 1024;
const meta: SendMeta = { jobId: 'contract-job', jobName: 'contract', documentFormat: 'application/vnd.escpos' };

/** A peer's way to make a send hang: it takes the connection or the first bytes, then nothing more. */
interface Stall {
  /** True once the hanging send has reached the device (connected, or first bytes there). */
  underway(): boolean;
  /** Makes the device normal again. */
  restore(): Promise<void>;
}

interface ContractPeer {
  /** A transport to the live device. */
  transport: Transport;
  /** Another transport to the same device, with other timeouts. */
  open(context: TransportContext): Transport;
  /** Every byte the device has received so far, jobs in order. */
  received(): Buffer;
  /** A transport of the same kind whose device is not there. */
  unreachable(): Transport;
  /**
   * Makes the device stop taking data, or null where a device can never block (a regular file):
   * then there is nothing in progress to abort.
   */
  stall: (() => Promise<Stall>) | null;
  dispose(): Promise<void>;
}

/** Every byte value, runs of 0x00 and 0xFF, and random bytes. */
function binaryJob(randomLength: number): Buffer {
  const everyValue = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  return Buffer.concat([everyValue, Buffer.alloc(64, 0x00), Buffer.alloc(64, 0xff), randomBytes(randomLength), Buffer.from([0x00, 0xff, 0x0a])]);
}

function receivedExactly(peer: ContractPeer, expected: Buffer, what: string, timeoutMs = 20_000): Promise<Buffer> {
  return waitFor(what, () => {
    const all = peer.received();
    if (all.length > expected.length) throw new Error(`the device received ${all.length} bytes, more than the ${expected.length} sent`);
    return all.length === expected.length ? all : null;
  }, timeoutMs);
}

/** Contract clauses a transport is known to break today: run as expected failures, so fixing one turns the test red until it is removed here. */
type KnownGap = 'ignores-abort-before-start';

/** The shared contract, for one transport against its peer. */
function transportContract(name: string, makePeer: () => Promise<ContractPeer>, knownGaps: readonly KnownGap[] = []): void {
  describe(`transport contract: ${name}`, () => {
    let peer: ContractPeer;
    beforeAll(async () => {
      peer = await makePeer();
    });
    afterAll(async () => {
      await peer?.transport.close();
      await peer?.dispose();
    });

    it('delivers jobs byte for byte in order (every byte value, a 1 MiB job) and reports bytesWritten', async () => {
      const before = peer.received();
      const small = binaryJob(4096);
      const large = binaryJob(MIB);
      const first = await peer.transport.send(small, new AbortController().signal, meta);
      expect(first.bytesWritten).toBe(small.length);
      // Wait for the device before the next job: a serial port reopened for the next job is flushed.
      await receivedExactly(peer, Buffer.concat([before, small]), `the first job at ${name}`);
      const second = await peer.transport.send(large, new AbortController().signal, meta);
      expect(second.bytesWritten).toBe(large.length);
      const all = await receivedExactly(peer, Buffer.concat([before, small, large]), `the 1 MiB job at ${name}`, 60_000);
      expect(all.subarray(before.length).equals(Buffer.concat([small, large]))).toBe(true);
    }, 90_000);

    it('probe() says the device is there, and fails with the code that stops the printer when it is not', async () => {
      await peer.transport.probe(new AbortController().signal);
      const gone = peer.unreachable();
      try {
        const probed = await failure(gone.probe(new AbortController().signal));
        const sent = await failure(gone.send(Buffer.from('to nobody'), new AbortController().signal, meta));
        expect(probed.code).toBe('PRINTER_UNREACHABLE');
        expect(sent.code).toBe('PRINTER_UNREACHABLE');
        // The worker keeps the job pending and waits for the printer, rather than failing the job.
        expect(ERROR_CODES[sent.code].action).toBe('stop-printer');
      } finally {
        await gone.close();
      }
    });

    (knownGaps.includes('ignores-abort-before-start') ? it.fails : it)('a send whose signal is already aborted sends nothing and fails with PRINTER_TIMEOUT', async () => {
      const before = peer.received().length;
      const controller = new AbortController();
      controller.abort();
      const error = await failure(peer.transport.send(Buffer.from('never sent'), controller.signal, meta));
      expect(error.code).toBe('PRINTER_TIMEOUT');
      expect(ERROR_CODES[error.code].action).toBe('retry');
      expect(peer.received().length).toBe(before);
    });

    it('a device that stops taking data never hangs a send: it ends within the transport\'s own bounded waits', async () => {
      if (peer.stall === null) {
        // A regular file never blocks; its send ends once the bytes are appended and synced.
        await within(peer.transport.send(Buffer.from('x'), new AbortController().signal, meta), HANG_BOUND_MS, 'a send to a file');
        return;
      }
      const impatient = peer.open({ log: silent, connectTimeoutMs: 300, confirmTimeoutMs: 300, stallMs: 300 });
      const stall = await peer.stall();
      try {
        const outcome = await within(
          impatient.send(binaryJob(MIB), new AbortController().signal, meta).then(
            (report) => ({ report }),
            (error: unknown) => ({ error }),
          ),
          HANG_BOUND_MS,
          'a send to a device that stopped taking data',
        );
        if ('report' in outcome) {
          // Everything was handed over but the device never confirmed: delivered, unconfirmed.
          expect(outcome.report.confirmed).toBe(false);
        } else {
          expect(outcome.error).toBeInstanceOf(DriverError);
          // A device that took the connection and then no data is a stalled printer (stopped, reason
          // `stalled`, the job kept), or one that went away: never a plain timeout retried for ever.
          expect(['PRINTER_STALLED', 'PRINTER_UNREACHABLE']).toContain((outcome.error as DriverError).code);
        }
      } finally {
        await stall.restore();
        await impatient.close();
      }
    }, 60_000);

    it('an abort stops a send in progress promptly and leaves the transport usable', async () => {
      if (peer.stall === null) {
        // A regular file never blocks: a send is never left in progress. It still delivers after a
        // send that was cut short by the abort of another job would have been.
        const job = binaryJob(100);
        const before = peer.received();
        await peer.transport.send(job, new AbortController().signal, meta);
        await receivedExactly(peer, Buffer.concat([before, job]), `a job at ${name}`);
        return;
      }
      const stall = await peer.stall();
      const start = peer.received().length;
      const controller = new AbortController();
      const sending = peer.transport.send(binaryJob(MIB), controller.signal, meta);
      sending.catch(() => undefined);
      await waitFor(`the send to reach ${name}`, () => stall.underway(), 15_000);
      controller.abort();
      const error = await within(failure(sending), ABORT_BOUND_MS, 'the aborted send');
      expect(error.code).toBe('PRINTER_TIMEOUT');
      await stall.restore();
      // The same transport object sends the next job whole. (The device may also hold a torn part
      // of the aborted job: an abort cannot take back bytes already on the wire.)
      const next = binaryJob(2048);
      const report = await peer.transport.send(next, new AbortController().signal, meta);
      expect(report.bytesWritten).toBe(next.length);
      await waitFor(`the next job at ${name}`, () => peer.received().subarray(start).indexOf(next) >= 0, 20_000);
    }, 60_000);
  });
}

/** A TCP proxy that can stop passing traffic: new connections are accepted and then left hanging. */
async function startPausableProxy(targetPort: number) {
  let paused = false;
  const held = new Set<net.Socket>();
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => undefined);
    if (paused) {
      held.add(client);
      client.on('close', () => held.delete(client));
      return;
    }
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    open.add(upstream);
    upstream.on('close', () => {
      open.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as net.AddressInfo).port,
    pause: () => {
      paused = true;
    },
    resume: () => {
      paused = false;
      for (const socket of held) socket.destroy();
    },
    held: () => held.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

transportContract('socket:// (raw TCP sink)', async () => {
  const sink = await startTcpSink();
  const deadPort = await freePort();
  return {
    transport: new SocketTransport(new URL(sink.uri), context),
    open: (other) => new SocketTransport(new URL(sink.uri), other),
    received: () => sink.received(),
    unreachable: () => new SocketTransport(new URL(`socket://127.0.0.1:${deadPort}`), context),
    stall: async () => {
      // The printer reads the job but never closes: the transport waits for its confirmation.
      const before = sink.received().length;
      sink.setBehaviour('never-close');
      return {
        underway: () => sink.received().length > before,
        restore: async () => sink.setBehaviour('accept'),
      };
    },
    dispose: () => sink.close(),
  };
});

// FileTransport.send ignores its signal (it appends at once); the worker never depends on it for
// file:, but the contract says an aborted send sends nothing.
transportContract(
  'file: (temp file)',
  async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'printgate-contract-file-'));
    const file = path.join(dir, 'out.bin');
    return {
      transport: new FileTransport(new URL(`file:${file}`)),
      open: () => new FileTransport(new URL(`file:${file}`)),
      received: () => (existsSync(file) ? readFileSync(file) : Buffer.alloc(0)),
      unreachable: () => new FileTransport(new URL(`file:${path.join(dir, 'no-such-dir', 'out.bin')}`)),
      stall: null,
      dispose: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
);

transportContract('ipp:// (ippeveprinter)', async () => {
  const printer = await startIppEvePrinter();
  // The transport talks to the printer through a proxy that can stop passing traffic (a network
  // that hangs), so the same transport object can be stalled and then used again.
  const proxy = await startPausableProxy(printer.port);
  const deadPort = await freePort();
  return {
    transport: new IppTransport(new URL(`ipp://127.0.0.1:${proxy.port}/ipp/print`), context),
    open: (other) => new IppTransport(new URL(`ipp://127.0.0.1:${proxy.port}/ipp/print`), other),
    received: () => Buffer.concat(printer.documents()),
    unreachable: () => new IppTransport(new URL(`ipp://127.0.0.1:${deadPort}/ipp/print`), context),
    stall: async () => {
      proxy.pause();
      return {
        underway: () => proxy.held() > 0,
        restore: async () => proxy.resume(),
      };
    },
    dispose: async () => {
      await proxy.close();
      await printer.stop();
    },
  };
});

transportContract('serial: (socat pty pair)', async () => {
  const pty = await startPtyPair();
  const chunks: Buffer[] = [];
  const far = new SerialPort({ path: pty.b, baudRate: 115200, autoOpen: false });
  far.on('error', () => undefined);
  far.on('data', (chunk: Buffer) => chunks.push(chunk));
  await new Promise<void>((resolve, reject) => far.open((error) => (error ? reject(error) : resolve())));
  return {
    transport: new SerialTransport(new URL(`serial:${pty.a}?baud=115200`), context),
    open: (other) => new SerialTransport(new URL(`serial:${pty.a}?baud=115200`), other),
    received: () => Buffer.concat(chunks),
    unreachable: () => new SerialTransport(new URL(`serial:${path.join(pty.dir, 'ttyGone')}?baud=115200`), context),
    stall: async () => {
      // The printer stops reading (a printer out of paper): the line's buffers fill and the
      // transport waits for drain.
      far.pause();
      return {
        underway: () => far.readableLength > 0,
        restore: async () => {
          far.resume();
        },
      };
    },
    dispose: async () => {
      await new Promise<void>((resolve) => (far.isOpen ? far.close(() => resolve()) : resolve()));
      await pty.dispose();
    },
  };
});

transportContract('usb: (FIFO device, fake sysfs)', async () => {
  const tree = new FakeUsbSysfs();
  const printer = { vendorId: '04b8', productId: '0e15', serial: 'CONTRACT1', busPort: '1-1' };
  let reader: FifoReader = await tree.plug(0, printer);
  const fifo = reader.fifo;
  /** What the device received, reader after reader. */
  const outputs: (() => Buffer)[] = [() => reader.received()];
  const extraReaders: FifoReader[] = [];
  const options = { sysfsRoot: tree.sysfsRoot, devRoot: tree.devRoot };
  let stalled: ChildProcess | null = null;
  const readFile = (file: string) => (): Buffer => (existsSync(file) ? readFileSync(file) : Buffer.alloc(0));
  return {
    transport: new UsbTransport(new URL('usb:04b8:0e15/CONTRACT1'), context, options),
    open: (other) => new UsbTransport(new URL('usb:04b8:0e15/CONTRACT1'), other, options),
    received: () => Buffer.concat(outputs.map((output) => output())),
    unreachable: () => new UsbTransport(new URL('usb:04b8:0e15/NOT-PLUGGED'), context, options),
    stall: async () => {
      // The printer takes 1000 bytes, then stops reading with the device still open (a printer
      // out of paper): the pipe fills and the write blocks.
      const out = path.join(tree.dir, `stalled-${outputs.length}.out`);
      stalled = spawn('sh', ['-c', 'exec 3<>"$0"; head -c 1000 <&3 > "$1"; exec sleep 600', fifo, out], { stdio: 'ignore' });
      await waitFor('the stalling reader to open the device', () => existsSync(out), 5000);
      await reader.stop();
      const partial = readFile(out);
      outputs.push(partial);
      return {
        underway: () => partial().length >= 1000,
        restore: async () => {
          reader = await startFifoReader(fifo, path.join(tree.dir, `lp0-again-${outputs.length}.out`));
          extraReaders.push(reader);
          const current = reader;
          outputs.push(() => current.received());
          const child = stalled;
          stalled = null;
          if (child && child.exitCode === null && child.signalCode === null) {
            const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
            child.kill('SIGTERM');
            await exited;
          }
        },
      };
    },
    dispose: async () => {
      stalled?.kill('SIGTERM');
      for (const extra of extraReaders) await extra.stop();
      await tree.dispose();
    },
  };
});
