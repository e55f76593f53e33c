import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, existsSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '../helpers/wait-for.js';

export interface PtyPair {
  dir: string;
  /** The gateway's end: configure serial:${a}. */
  a: string;
  /** The test's end: read what the gateway wrote with a second SerialPort. */
  b: string;
  /** Kills socat (the ports vanish). */
  stop(): Promise<void>;
  /** Starts socat again on the same link names (the ports return). */
  start(): Promise<void>;
  /** Stops socat and removes the directory. */
  dispose(): Promise<void>;
}

/** A serial line made of two ptys joined by socat: `socat pty,raw,echo=0,link=A pty,raw,echo=0,link=B`. */
export async function startPtyPair(): Promise<PtyPair> {
  if (spawnSync('sh', ['-c', 'command -v socat'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('socat is missing: install the Debian package socat (apt-get install -y socat)');
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'printgate-pty-'));
  const a = path.join(dir, 'ttyA');
  const b = path.join(dir, 'ttyB');
  let child: ChildProcess | null = null;
  let holder: number | null = null;
  let output = '';

  const stop = async (): Promise<void> => {
    const running = child;
    child = null;
    if (holder !== null) closeSync(holder);
    holder = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
    running.kill('SIGTERM');
    const timer = setTimeout(() => running.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    // socat unlinks its links on a clean exit; remove leftovers so start() waits for fresh ones.
    rmSync(a, { force: true });
    rmSync(b, { force: true });
  };

  const start = async (): Promise<void> => {
    if (child) return;
    const started = spawn('socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    started.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child = started;
    await waitFor(`socat pty links ${a} and ${b}`, () => {
      if (started.exitCode !== null) throw new Error(`socat exited (${started.exitCode}): ${output}`);
      return existsSync(a) && existsSync(b);
    }, 10_000);
    // A real serial device stays there when the gateway closes it between jobs. A pty whose last
    // slave fd closes makes socat read EIO, take it as EOF, and exit, discarding what B has not
    // read yet: keep one idle fd on A open (never read) so the line survives the gateway's close.
    holder = openSync(a, constants.O_RDWR | constants.O_NOCTTY | constants.O_NONBLOCK);
  };

  await start();
  return {
    dir,
    a,
    b,
    stop,
    start,
    dispose: async () => {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
