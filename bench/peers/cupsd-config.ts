import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface CupsdConfigOptions {
  /** Loopback port cupsd listens on besides its socket. */
  port: number;
  logLevel: 'info' | 'warn';
  /** More cupsd.conf lines (MaxJobs, PreserveJobHistory, …). */
  extra?: readonly string[];
  /** More cups-files.conf lines (FileDevice, …). */
  extraFiles?: readonly string[];
}

/**
 * The directory of a private cupsd (root only: it drops to user lp, uid/gid 7 on Debian), nothing
 * shared with a system CUPS: its own spool, state, logs and socket, every request allowed from
 * loopback. Returns the socket path. Used by the bench's peer and the IPP server's client tests.
 */
export function writeCupsdConfig(dir: string, options: CupsdConfigOptions): string {
  chmodSync(dir, 0o755);
  for (const sub of ['spool', 'tmp', 'cache', 'state', 'log', 'ppd']) mkdirSync(path.join(dir, sub), { recursive: true });
  for (const sub of ['spool', 'tmp', 'cache', 'state', 'ppd']) chownSync(path.join(dir, sub), 7, 7);
  const socket = path.join(dir, 'cups.sock');
  writeFileSync(
    path.join(dir, 'cupsd.conf'),
    [
      `Listen 127.0.0.1:${options.port}`,
      `Listen ${socket}`,
      'Browsing Off',
      'WebInterface No',
      `LogLevel ${options.logLevel}`,
      'DefaultAuthType None',
      ...(options.extra ?? []),
      '<Location />\n  Order allow,deny\n  Allow all\n</Location>',
      '<Location /admin>\n  Order allow,deny\n  Allow all\n</Location>',
      '<Policy default>\n  <Limit All>\n    Order deny,allow\n  </Limit>\n</Policy>',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 'cups-files.conf'),
    [
      'User lp',
      'Group lp',
      'SystemGroup root',
      `ServerRoot ${dir}`,
      `RequestRoot ${dir}/spool`,
      `TempDir ${dir}/tmp`,
      `CacheDir ${dir}/cache`,
      `StateDir ${dir}/state`,
      `ErrorLog ${dir}/log/error_log`,
      `AccessLog ${dir}/log/access_log`,
      `PageLog ${dir}/log/page_log`,
      'ServerBin /usr/lib/cups',
      'DataDir /usr/share/cups',
      ...(options.extraFiles ?? []),
    ].join('\n'),
  );
  return socket;
}
