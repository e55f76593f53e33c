import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { needProgram as need } from '../harness/need-program.js';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeCupsdConfig } from './cupsd-config.js';

export interface PrivateCupsd {
  /** ipp://127.0.0.1:PORT/printers/raw9100 (the first queue) */
  printerUrl: string;
  /** One raw queue per sink: raw9100, raw9100-1, raw9100-2, … */
  printerUrls: string[];
  /** cupsd's PID (its CPU time can be read from /proc). */
  pid: number;
  stop(): Promise<void>;
}

async function waitForSocket(file: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`cupsd did not create ${file} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A private cupsd (root only: cupsd drops to user lp) on 127.0.0.1:port with a raw queue per sink
 * URI that forwards to it through CUPS's socket backend — the incumbent's path, for comparison.
 * MaxJobs is lifted (as the bench lifts printgate's per-key limits) so that no job is refused.
 */
export async function startPrivateCupsd(port: number, sinks: string | readonly string[]): Promise<PrivateCupsd> {
  const sinkUris = typeof sinks === 'string' ? [sinks] : sinks;
  need('cupsd', 'cups-daemon');
  need('lpadmin', 'cups-client');
  if (!existsSync('/usr/lib/cups/backend/socket')) need('/usr/lib/cups/backend/socket', 'cups');
  const dir = mkdtempSync(path.join(tmpdir(), 'printgate-cupsd-'));
  const sock = writeCupsdConfig(dir, { port, logLevel: 'warn', extra: ['MaxJobs 0'], extraFiles: ['FileDevice Yes'] });
  const child: ChildProcess = spawn('cupsd', ['-f', '-c', path.join(dir, 'cupsd.conf'), '-s', path.join(dir, 'cups-files.conf')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForSocket(sock, 10_000);
    const names = sinkUris.map((_, index) => (index === 0 ? 'raw9100' : `raw9100-${index}`));
    sinkUris.forEach((uri, index) => {
      const added = spawnSync('lpadmin', ['-h', sock, '-p', names[index]!, '-E', '-v', uri, '-m', 'raw'], { encoding: 'utf8', timeout: 30_000 });
      if (added.status !== 0) throw new Error(`lpadmin failed: ${added.stderr}`);
    });
    const printerUrls = names.map((name) => `ipp://127.0.0.1:${port}/printers/${name}`);
    return { printerUrl: printerUrls[0]!, printerUrls, pid: child.pid ?? 0, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
