import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { waitFor } from '../helpers/wait-for.js';

export const IPP_FORMATS = ['application/pdf', 'image/pwg-raster', 'text/plain', 'application/vnd.escpos', 'application/octet-stream'];

export interface IppEvePrinterOptions {
  /** The -c command run for each job: /bin/true (default) completes, /bin/false aborts. */
  command?: string;
  /** Seconds each job takes (a sleeping -c): other Print-Jobs meanwhile get server-error-busy. */
  jobSeconds?: number;
  formats?: string[];
  /** Reuse a port (to bring a printer back on the same URI). */
  port?: number;
}

export interface IppEvePrinter {
  port: number;
  /** ipp://localhost:PORT/ipp/print */
  uri: string;
  dir: string;
  /** Documents kept by -k, oldest job first. */
  documents(): Buffer[];
  waitForDocuments(count: number, timeoutMs?: number): Promise<Buffer[]>;
  log(): string;
  stop(): Promise<void>;
}

function requireProgram(program: string, debianPackage: string): void {
  if (spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status !== 0) {
    throw new Error(`${program} is missing: install the Debian package ${debianPackage} (apt-get install -y ${debianPackage})`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function stopPid(child: ChildProcess | number, timeoutMs = 5000): Promise<void> {
  const pid = typeof child === 'number' ? child : child.pid;
  if (pid === undefined) return;
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (typeof child !== 'number') {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
    return;
  }
  if (!alive()) return;
  process.kill(pid, 'SIGTERM');
  await waitFor(`process ${pid} to exit`, () => !alive(), timeoutMs).catch(() => process.kill(pid, 'SIGKILL'));
}

/**
 * A real IPP Everywhere printer: ippeveprinter on a free port with its own D-Bus and a fresh spool
 * directory (job ids restart at 1), keeping every document (-k) for byte comparison.
 */
export async function startIppEvePrinter(options: IppEvePrinterOptions = {}): Promise<IppEvePrinter> {
  requireProgram('ippeveprinter', 'cups-ipp-utils');
  requireProgram('dbus-daemon', 'dbus');
  const dir = mkdtempSync(path.join(tmpdir(), 'printgate-ipp-'));
  const spool = path.join(dir, 'spool');
  mkdirSync(spool);
  mkdirSync(path.join(dir, 'certs'));
  const busPath = path.join(dir, 'bus');
  const dbus = spawnSync('dbus-daemon', ['--session', `--address=unix:path=${busPath}`, '--fork', '--print-pid'], { encoding: 'utf8', timeout: 10_000 });
  const dbusPid = Number(dbus.stdout.trim());
  if (dbus.status !== 0 || !Number.isInteger(dbusPid)) throw new Error(`dbus-daemon did not start: ${dbus.stderr}`);

  let command = options.command ?? '/bin/true';
  if (options.jobSeconds !== undefined) {
    command = path.join(dir, 'slow-job.sh');
    writeFileSync(command, `#!/bin/sh\nsleep ${options.jobSeconds}\nexec ${options.command ?? '/bin/true'}\n`, { mode: 0o755 });
  }
  const port = options.port ?? (await freePort());
  let output = '';
  const child = spawn(
    'ippeveprinter',
    // -K: its self-signed certificate goes in the test's own directory (else /etc/cups/ssl, which may not exist: ipps then resets every connection).
    ['-p', String(port), '-n', 'localhost', '-r', 'off', '-k', '-K', path.join(dir, 'certs'), '-d', spool, '-c', command, '-f', (options.formats ?? IPP_FORMATS).join(','), 'printgate-test'],
    { env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: `unix:path=${busPath}` }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const cleanup = async (): Promise<void> => {
    await stopPid(child);
    await stopPid(dbusPid);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(`ippeveprinter listening on port ${port}`, async () => {
      if (child.exitCode !== null) throw new Error(`ippeveprinter exited (${child.exitCode}): ${output.slice(-500)}`);
      return canConnect(port);
    }, 15_000, 50);
  } catch (error) {
    await cleanup();
    throw error;
  }
  const documents = (): Buffer[] =>
    readdirSync(spool)
      // <id>-<name>.<ext> is the document; <id>-<name>.prn is what the -c command wrote.
      .filter((name) => !name.endsWith('.prn'))
      .map((name) => ({ name, id: Number(/^(\d+)-/.exec(name)?.[1]) }))
      .filter((entry) => Number.isInteger(entry.id))
      .sort((a, b) => a.id - b.id)
      .map((entry) => readFileSync(path.join(spool, entry.name)));
  return {
    port,
    uri: `ipp://localhost:${port}/ipp/print`,
    dir,
    documents,
    waitForDocuments: (count, timeoutMs = 10_000) =>
      waitFor(`${count} documents kept by ippeveprinter`, () => {
        const docs = documents();
        return docs.length >= count ? docs : null;
      }, timeoutMs),
    log: () => output,
    stop: cleanup,
  };
}
