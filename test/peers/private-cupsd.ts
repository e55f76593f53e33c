import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeCupsdConfig } from '../../bench/peers/cupsd-config.js';
import { waitFor } from '../helpers/wait-for.js';
import { requireProgram } from './ipp-documents.js';

export interface CupsClient {
  /** cupsd's local socket (lpadmin -h, lp -h). */
  socket: string;
  /** Runs a CUPS client program against this cupsd, asynchronously (the gateway under test shares the process). */
  run(program: 'lpadmin' | 'lp' | 'lpstat' | 'cancel', args: string[], timeoutMs?: number): Promise<{ status: number | null; stdout: string; stderr: string }>;
  log(): string;
  /** The PPD cupsd keeps for a queue (for -m everywhere: made from the printer's IPP attributes). */
  ppd(queue: string): string;
  stop(): Promise<void>;
}

/**
 * A private cupsd (cups-daemon; root only: it drops to user lp) on its own socket and a loopback
 * port, nothing shared with a system CUPS: the client that `lpadmin -m everywhere` and `lp` are.
 */
export async function startPrivateCupsd(port: number): Promise<CupsClient> {
  requireProgram('cupsd', 'cups-daemon');
  requireProgram('lpadmin', 'cups-client');
  if (!existsSync('/usr/lib/cups/filter/pdftopdf')) throw new Error('cups-filters is missing (the PDF and text filters lp needs): apt-get install -y cups-filters');
  const dir = mkdtempSync(path.join(tmpdir(), 'printgate-cupsd-'));
  const socket = writeCupsdConfig(dir, { port, logLevel: 'info', extra: ['PreserveJobHistory Yes'] });
  const child: ChildProcess = spawn('cupsd', ['-f', '-c', path.join(dir, 'cupsd.conf'), '-s', path.join(dir, 'cups-files.conf')], { stdio: 'ignore' });
  await waitFor(`cupsd to create ${socket}`, () => existsSync(socket), 10_000, 50);
  const env = { ...process.env, CUPS_SERVER: socket };
  return {
    socket,
    run: (program, args, timeoutMs = 60_000) =>
      new Promise((resolve) => {
        const run = spawn(program, ['-h', socket, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        run.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        run.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        const timer = setTimeout(() => run.kill('SIGKILL'), timeoutMs);
        run.once('close', (status) => {
          clearTimeout(timer);
          resolve({ status, stdout, stderr });
        });
      }),
    log: () => {
      try {
        return readFileSync(path.join(dir, 'log/error_log'), 'utf8');
      } catch {
        return '';
      }
    },
    ppd: (queue) => readFileSync(path.join(dir, 'ppd', `${queue}.ppd`), 'utf8'),
    stop: async () => {
      child.kill('SIGTERM');
      await waitFor('cupsd to exit', () => child.exitCode !== null || child.signalCode !== null, 10_000).catch(() => child.kill('SIGKILL'));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
