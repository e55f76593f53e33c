import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/config/config-error.js';
import { acquireDataDirLock } from '../../../src/db/data-dir-lock.js';
import { openDatabase } from '../../../src/db/open-database.js';
import { describeStartupError, EXIT_CODES } from '../../../src/db/startup-errors.js';

const root = mkdtempSync(path.join(tmpdir(), 'printgate-startup-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

async function listenError(host: string, port: number): Promise<unknown> {
  const server = net.createServer();
  return new Promise((resolve) => {
    server.once('error', resolve);
    server.listen(port, host, () => server.close(() => resolve(new Error('listened'))));
  });
}

const oneLine = (line: string | undefined): void => {
  expect(line).toBeDefined();
  expect(line).not.toContain('\n');
  expect(line).not.toMatch(/\bat \S+ \(/);
};

describe('describeStartupError', () => {
  it('names the PID holding the data directory, exit 75 (systemd may try again)', () => {
    const dataDir = path.join(root, 'locked');
    const lock = acquireDataDirLock(dataDir, 4321);
    const described = describeStartupError(thrown(() => acquireDataDirLock(dataDir)), { dataDir });
    lock.release();
    expect(described).toEqual({
      code: 'DATA_DIR_LOCKED',
      line: `the data directory ${dataDir} is in use by another printgate (PID 4321): stop it (systemctl stop printgate, or kill 4321), or give this one another dataDir`,
      exitCode: 75,
    });
  });

  it('port taken: EADDRINUSE from a real second listen, with the command that finds the other program', async () => {
    const first = net.createServer();
    await new Promise<void>((resolve) => first.listen(0, '127.0.0.1', resolve));
    const port = (first.address() as net.AddressInfo).port;
    const error = await listenError('127.0.0.1', port);
    first.close();
    const described = describeStartupError(error, { dataDir: '/var/lib/printgate', host: '127.0.0.1', port });
    expect(described?.code).toBe('PORT_IN_USE');
    expect(described?.exitCode).toBe(EXIT_CODES.tempFail);
    expect(described?.line).toBe(`cannot listen on 127.0.0.1:${port}: another program uses the port (EADDRINUSE); find it with ss -ltnp 'sport = :${port}', stop it, or set server.port`);
  });

  it('an address not of this machine: EADDRNOTAVAIL from a real listen', async () => {
    const described = describeStartupError(await listenError('192.0.2.1', 0), { dataDir: '/x', host: '192.0.2.1', port: 8631 });
    expect(described?.code).toBe('ADDRESS_NOT_AVAILABLE');
    oneLine(described?.line);
  });

  it('a port below 1024 without the capability (EACCES on listen) is not mistaken for the data directory', () => {
    const error = Object.assign(new Error('listen EACCES: permission denied 0.0.0.0:631'), { code: 'EACCES', syscall: 'listen', address: '0.0.0.0', port: 631 });
    expect(describeStartupError(error, { dataDir: '/var/lib/printgate' })).toMatchObject({ code: 'PORT_PERMISSION', exitCode: 77 });
  });

  it('no permission on the data directory: the path, the user, and the chown that fixes it', () => {
    const error = Object.assign(new Error("EACCES: permission denied, mkdir '/var/lib/printgate'"), { code: 'EACCES', syscall: 'mkdir', path: '/var/lib/printgate' });
    const described = describeStartupError(error, { dataDir: '/var/lib/printgate', user: 'pi' });
    expect(described).toEqual({
      code: 'DATA_DIR_PERMISSION',
      line:
        'cannot write /var/lib/printgate as user pi (EACCES): run printgate as the owner of /var/lib/printgate (the installed printgate command runs as the service user), ' +
        'or give it to that user: chown -R printgate:printgate /var/lib/printgate',
      exitCode: 77,
    });
  });

  it('a read-only file system', () => {
    const error = Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS', syscall: 'access', path: '/mnt/ro' });
    expect(describeStartupError(error, { dataDir: '/mnt/ro' })).toMatchObject({ code: 'DATA_DIR_READ_ONLY', exitCode: 77 });
  });

  it('a database file that is not a database (SQLITE_NOTADB from a real open), exit 65', () => {
    const dataDir = path.join(root, 'garbage');
    openDatabase({ dataDir }).close();
    writeFileSync(path.join(dataDir, 'printgate.db'), Buffer.alloc(8192, 0x41));
    const described = describeStartupError(thrown(() => openDatabase({ dataDir })), { dataDir });
    expect(described?.code).toBe('DATABASE_CORRUPT');
    expect(described?.exitCode).toBe(65);
    expect(described?.line).toContain(`${dataDir}/printgate.db is damaged or not a printgate database (SQLITE_NOTADB)`);
    oneLine(described?.line);
  });

  it('a read-only database (a file another user owns) is a permission problem', () => {
    const dataDir = path.join(root, 'readonly');
    openDatabase({ dataDir }).close();
    const db = new Database(path.join(dataDir, 'printgate.db'), { readonly: true });
    const error = thrown(() => db.exec('CREATE TABLE x (a)'));
    db.close();
    expect(describeStartupError(error, { dataDir })).toMatchObject({ code: 'DATA_DIR_PERMISSION', exitCode: 77 });
  });

  it('configuration errors keep their message and exit 78; unknown errors are left to the caller (a bug: log the stack)', () => {
    expect(describeStartupError(new ConfigError('Invalid configuration', ['server.prot: unknown key']), { dataDir: '/x' })).toEqual({
      code: 'CONFIG_INVALID',
      line: 'Invalid configuration:\n  server.prot: unknown key',
      exitCode: 78,
    });
    expect(describeStartupError(new TypeError("Cannot read properties of null (reading 'family')"), { dataDir: '/x' })).toBeNull();
    expect(describeStartupError(undefined, { dataDir: '/x' })).toBeNull();
  });
});
