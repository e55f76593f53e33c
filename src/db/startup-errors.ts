import path from 'node:path';
import { ConfigError } from '../config/config-error.js';
import { DataDirLockedError } from './data-dir-lock.js';
import { DB_FILE } from './open-database.js';

/**
 * printgate's exit codes (README "The command line" has the table). The sysexits.h numbers, so the
 * systemd unit can tell what a restart can cure: 75 may pass by itself (Restart=on-failure tries
 * again), 65, 77 and 78 need a person (RestartPreventExitStatus=65 77 78).
 */
export const EXIT_CODES = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** EX_DATAERR: the database is corrupt or not a printgate database. */
  dataError: 65,
  /** EX_TEMPFAIL: another printgate holds the data directory, the port is taken, the disk is full. */
  tempFail: 75,
  /** EX_NOPERM: no permission on the data directory, or on a port below 1024. */
  noPermission: 77,
  /** EX_CONFIG: bad configuration. */
  config: 78,
} as const;

export interface StartupContext {
  dataDir: string;
  host?: string;
  port?: number;
  /** Who we run as, for "as user pi" in the permission line. */
  user?: string;
}

export interface StartupErrorDescription {
  /** A short stable name, for --json output: DATA_DIR_LOCKED, DATA_DIR_PERMISSION, DATABASE_CORRUPT, … */
  code: string;
  /** One line, cause and fix, no stack trace. */
  line: string;
  exitCode: number;
}

interface SystemError {
  code?: string;
  syscall?: string;
  path?: string;
  address?: string;
  port?: number;
  message?: string;
}

/**
 * What a start-up (or a CLI command's) failure means to a person: one line with the cause and the
 * fix, and the exit code. Null for an error it does not know, which is a bug: log it with its stack.
 */
export function describeStartupError(error: unknown, context: StartupContext): StartupErrorDescription | null {
  if (error instanceof ConfigError) return { code: 'CONFIG_INVALID', line: error.message, exitCode: EXIT_CODES.config };
  if (error instanceof DataDirLockedError) {
    const who = error.holderPid === null ? 'another printgate' : `another printgate (PID ${error.holderPid})`;
    const stop = error.holderPid === null ? 'stop it' : `stop it (systemctl stop printgate, or kill ${error.holderPid})`;
    return {
      code: 'DATA_DIR_LOCKED',
      line: `the data directory ${error.dataDir} is in use by ${who}: ${stop}, or give this one another dataDir`,
      exitCode: EXIT_CODES.tempFail,
    };
  }
  const e = (error ?? {}) as SystemError;
  const code = e.code ?? '';
  if (e.syscall === 'listen' || e.syscall === 'bind') return describeListenError(code, e, context);
  const dataDir = context.dataDir;
  const as = context.user ? ` as user ${context.user}` : '';
  if (code === 'EROFS') {
    return {
      code: 'DATA_DIR_READ_ONLY',
      line: `the data directory ${dataDir} is on a read-only file system (${code}): remount it read-write, or set dataDir to a writable directory`,
      exitCode: EXIT_CODES.noPermission,
    };
  }
  if (code === 'EACCES' || code === 'EPERM' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_PERM' || code.startsWith('SQLITE_READONLY') || code === 'SQLITE_AUTH') {
    const where = e.path ?? dataDir;
    return {
      code: 'DATA_DIR_PERMISSION',
      line:
        `cannot write ${where}${as} (${code}): run printgate as the owner of ${dataDir} (the installed printgate command runs as the service user), ` +
        `or give it to that user: chown -R printgate:printgate ${dataDir}`,
      exitCode: EXIT_CODES.noPermission,
    };
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return {
      code: 'DATABASE_CORRUPT',
      line:
        `the database ${path.join(dataDir, DB_FILE)} is damaged or not a printgate database (${code}): stop printgate, then restore a backup ` +
        `(README "Backup and restore"), or move the file away to start empty`,
      exitCode: EXIT_CODES.dataError,
    };
  }
  if (code === 'ENOSPC' || code === 'SQLITE_FULL' || code === 'EDQUOT') {
    return {
      code: 'DISK_FULL',
      line: `no space left for ${dataDir} (${code}): free some (df -h ${dataDir}; old journals: journalctl --vacuum-size=50M), printgate starts again by itself`,
      exitCode: EXIT_CODES.tempFail,
    };
  }
  return null;
}

function describeListenError(code: string, e: SystemError, context: StartupContext): StartupErrorDescription | null {
  const port = e.port ?? context.port;
  const where = `${e.address ?? context.host ?? '0.0.0.0'}:${port}`;
  if (code === 'EADDRINUSE') {
    return {
      code: 'PORT_IN_USE',
      line: `cannot listen on ${where}: another program uses the port (EADDRINUSE); find it with ss -ltnp 'sport = :${port}', stop it, or set server.port`,
      exitCode: EXIT_CODES.tempFail,
    };
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return {
      code: 'PORT_PERMISSION',
      line: `cannot listen on ${where}: ports below 1024 need CAP_NET_BIND_SERVICE (${code}); run it as the systemd service (which grants it), or set server.port above 1023`,
      exitCode: EXIT_CODES.noPermission,
    };
  }
  if (code === 'EADDRNOTAVAIL') {
    return {
      code: 'ADDRESS_NOT_AVAILABLE',
      line: `cannot listen on ${where}: ${e.address ?? context.host} is not an address of this machine (EADDRNOTAVAIL); set server.host to one of its addresses, or 0.0.0.0`,
      exitCode: EXIT_CODES.tempFail,
    };
  }
  return null;
}
