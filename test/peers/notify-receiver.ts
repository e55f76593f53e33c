import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '../helpers/wait-for.js';

/**
 * A NOTIFY_SOCKET receiver as systemd has one: a unix datagram socket, here read by socat
 * (`socat -u -v UNIX-RECV:$D/notify STDOUT`). socat's -v dump on stderr frames each datagram
 * ("> date time  length=N from=… to=…" then N bytes), so messages without newlines stay apart.
 */
export interface NotifyReceiver {
  socket: string;
  /** The datagrams received so far, in order. */
  messages(): string[];
  stop(): Promise<void>;
}

export async function startNotifyReceiver(): Promise<NotifyReceiver> {
  if (spawnSync('sh', ['-c', 'command -v socat'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('socat is missing: install the Debian package socat');
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'printgate-notify-'));
  const socket = path.join(dir, 'notify');
  const child: ChildProcess = spawn('socat', ['-u', '-v', `UNIX-RECV:${socket}`, 'STDOUT'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let dump = Buffer.alloc(0);
  child.stderr?.on('data', (chunk: Buffer) => (dump = Buffer.concat([dump, chunk])));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor('socat to bind the notify socket', () => {
    if (child.exitCode !== null) throw new Error(`socat exited: ${dump.toString()}`);
    return existsSync(socket);
  }, 5000);
  const messages = (): string[] => {
    const out: string[] = [];
    let offset = 0;
    const header = /^> \S+ \S+ +length=(\d+) from=\d+ to=\d+\n/;
    while (offset < dump.length) {
      const match = header.exec(dump.subarray(offset, offset + 200).toString('latin1'));
      if (!match) break;
      const start = offset + match[0].length;
      const length = Number(match[1]);
      if (start + length > dump.length) break;
      out.push(dump.subarray(start, start + length).toString('utf8'));
      offset = start + length;
    }
    return out;
  };
  return {
    socket,
    messages,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
