import { existsSync, readdirSync, readFileSync, statfsSync, statSync } from 'node:fs';
import net from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import { dataDirLockHolder } from '../db/data-dir-lock.js';
import { MIGRATIONS } from '../db/migrations.js';
import { fingerprints } from '../tls/tls-certificate.js';
import { fail, pass, warn, type DoctorCheck } from './doctor-check.js';
import { openReadOnlyDatabase } from './read-only-database.js';
import { canAccess, groupName, userName, type Identity } from './service-user.js';

const MIN_FREE_MIB = 100;

/** The nearest directory that exists at or above `dir`. */
function existingAncestor(dir: string): string {
  let at = dir;
  while (!existsSync(at) && path.dirname(at) !== at) at = path.dirname(at);
  return at;
}

function owner(file: string): string {
  const stat = statSync(file);
  return `${userName(stat.uid)}:${groupName(stat.gid)} ${(stat.mode & 0o777).toString(8).padStart(4, '0')}`;
}

/** The data directory and what is in it: writable by the identity, nothing in it someone else's. */
export function checkDataDir(config: Readonly<Config>, identity: Identity): DoctorCheck {
  const dir = path.resolve(config.dataDir);
  const chown = `chown -R ${identity.name}: ${dir}`;
  if (!existsSync(dir)) {
    const parent = existingAncestor(dir);
    return canAccess(identity, parent, 'wx')
      ? pass('data directory', `${dir} does not exist yet: serve makes it at its first start`)
      : fail('data directory', `${dir} does not exist, and ${identity.name} cannot make it in ${parent} (${owner(parent)})`, `install -d -o ${identity.name} -m 0750 ${dir}`);
  }
  if (!canAccess(identity, dir, 'rwx')) return fail('data directory', `${dir} (${owner(dir)}) is not writable by ${identity.name}`, chown);
  const foreign = readdirSync(dir)
    .filter((name) => name.startsWith('printgate.') || ['spool', 'tls', 'printer-state.json'].includes(name))
    .filter((name) => !canAccess(identity, path.join(dir, name), statSync(path.join(dir, name)).isDirectory() ? 'rwx' : 'rw'));
  if (foreign.length > 0) {
    return fail(
      'data directory',
      `${identity.name} cannot write ${foreign.map((name) => `${name} (${owner(path.join(dir, name))})`).join(', ')} in ${dir}: the service fails with "readonly database" or EACCES`,
      chown,
    );
  }
  return pass('data directory', `${dir} is writable by ${identity.name}`);
}

/** The database, read without creating or changing anything. */
export function checkDatabase(config: Readonly<Config>): DoctorCheck {
  const dir = path.resolve(config.dataDir);
  const known = Math.max(...MIGRATIONS.map((migration) => migration.version));
  let db;
  try {
    db = openReadOnlyDatabase(dir);
  } catch (error) {
    return fail('database', `${dir}/printgate.db cannot be read: ${(error as Error).message}`, `run doctor as the service user (the installed printgate command does), or ${`chown -R printgate: ${dir}`}`);
  }
  if (db === null) return pass('database', 'not started yet: serve makes printgate.db at its first start');
  try {
    const version = Number((db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0);
    const jobs = (db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE state IN ('pending', 'processing', 'held')").get() as { n: number }).n;
    if (version > known) {
      return fail('database', `schema ${version} is newer than this build knows (${known}): a downgrade?`, 'install the newer build again, or restore the backup install.sh made before the upgrade (README: Backup and restore)');
    }
    return pass('database', `schema ${version}${version < known ? ` (this build migrates it to ${known} at start)` : ''}, ${jobs} unfinished jobs`);
  } catch (error) {
    return fail('database', `${dir}/printgate.db is damaged or not a printgate database: ${(error as Error).message}`, 'stop the service and restore a backup (README: Backup and restore), or move the file away to start empty');
  } finally {
    db.close();
  }
}

/** Whether a gateway runs on this data directory (it holds the lock), by its PID. */
export function serviceHolder(config: Readonly<Config>): number | null {
  return dataDirLockHolder(path.resolve(config.dataDir));
}

export function checkService(pid: number | null): DoctorCheck {
  return pid === null
    ? pass('service', 'not running (no process holds the data directory): systemctl start printgate')
    : pass('service', `running as PID ${pid} (it holds the data directory lock)`);
}

/** The HTTP port: served by the running gateway, or free for it. */
export async function checkPort(config: Readonly<Config>, running: number | null): Promise<DoctorCheck> {
  const { host, port } = config.server;
  const where = `${host}:${port}`;
  if (port === 0) return pass('HTTP port', 'server.port 0: a free port is chosen at start');
  if (running !== null) {
    const local = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const healthy = await fetch(`http://${local.includes(':') ? `[${local}]` : local}:${port}/healthz`, { signal: AbortSignal.timeout(3000) })
      .then((answer) => answer.status === 200 || answer.status === 503)
      .catch(() => false);
    return healthy
      ? pass('HTTP port', `${where} is served by the running printgate (PID ${running})`)
      : fail('HTTP port', `PID ${running} holds the data directory but ${where}/healthz does not answer`, 'it is starting, stuck or listening elsewhere: journalctl -u printgate -n 50');
  }
  const refused = await new Promise<string | null>((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen(port, host, () => server.close(() => resolve(null)));
  });
  if (refused === null) return pass('HTTP port', `${where} is free`);
  if (refused === 'EADDRINUSE') return fail('HTTP port', `${where} is taken by another program`, `ss -ltnp 'sport = :${port}' names it; stop it or change server.port`);
  if (refused === 'EACCES') return fail('HTTP port', `${where}: ports below 1024 need CAP_NET_BIND_SERVICE`, 'the installed unit grants it; from a shell, choose server.port above 1023 (8631)');
  if (refused === 'EADDRNOTAVAIL') return fail('HTTP port', `server.host ${host} is not an address of this box`, 'set server.host to 0.0.0.0 (every interface) or one of `ip -brief address`');
  return fail('HTTP port', `${where}: ${refused}`, 'check server.host and server.port');
}

export function checkDisk(config: Readonly<Config>): DoctorCheck {
  const dir = existingAncestor(path.resolve(config.dataDir));
  const fs = statfsSync(dir);
  const freeMiB = Math.floor((fs.bavail * fs.bsize) / 1024 / 1024);
  return freeMiB >= MIN_FREE_MIB
    ? pass('disk space', `${freeMiB} MiB free under ${dir}`)
    : fail('disk space', `only ${freeMiB} MiB free under ${dir} (documents are refused with 507 when it fills)`, 'free space (df -h; journalctl --vacuum-size=50M) or lower jobs.keepDays / jobs.keepCount');
}

/** The interface of the default route, for the fix of an empty discovery.interfaces. */
function defaultRouteInterface(): string {
  try {
    const line = readFileSync('/proc/net/route', 'utf8').split('\n').slice(1).find((entry) => entry.split(/\s+/)[1] === '00000000');
    return line?.split(/\s+/)[0] || 'eth0';
  } catch {
    return 'eth0';
  }
}

export function checkDiscovery(config: Readonly<Config>, sysNet = '/sys/class/net'): DoctorCheck[] {
  const names = config.discovery.interfaces;
  if (names.length === 0) {
    return [warn('mDNS', 'mDNS is off (discovery.interfaces is empty): no printers are found on the network and the box is not advertised', `mDNS is off: set discovery.interfaces: [${defaultRouteInterface()}]`)];
  }
  const present = existsSync(sysNet) ? readdirSync(sysNet) : Object.keys(networkInterfaces());
  return names.map((name) => {
    if (!present.includes(name)) {
      return fail(`mDNS interface ${name}`, `discovery.interfaces names ${name}, which this box does not have (it has ${present.join(', ')})`, `set discovery.interfaces to the LAN interface, e.g. [${defaultRouteInterface()}]`);
    }
    const v4 = (networkInterfaces()[name] ?? []).find((info) => info.family === 'IPv4');
    return v4
      ? pass(`mDNS interface ${name}`, `${name} has ${v4.address}`)
      : warn(`mDNS interface ${name}`, `${name} has no IPv4 address now`, `mDNS starts on ${name} when it gets one: check its cable or Wi-Fi (ip -brief address)`);
  });
}

export function checkTls(config: Readonly<Config>, identity: Identity, now: Date): DoctorCheck {
  const tls = config.server.tls;
  if (!tls.enabled) return pass('TLS', 'off (server.tls.enabled: false)');
  const certFile = tls.certFile ?? path.join(path.resolve(config.dataDir), 'tls', 'cert.pem');
  if (!existsSync(certFile)) {
    return tls.certFile
      ? fail('TLS', `server.tls.certFile ${certFile} does not exist`, 'put the certificate there, or remove certFile and keyFile to let the box make its own')
      : pass('TLS', `HTTPS on port ${tls.port}: the certificate is made at the first start`);
  }
  for (const file of [certFile, ...(tls.keyFile ? [tls.keyFile] : [])]) {
    if (existsSync(file) && !canAccess(identity, file, 'r')) return fail('TLS', `${identity.name} cannot read ${file} (${owner(file)})`, `chgrp ${identity.name} ${file} && chmod 0640 ${file}`);
  }
  const found = fingerprints(readFileSync(certFile, 'utf8'));
  const detail = `HTTPS on port ${tls.port}: SHA-256 ${found.sha256}, pin sha256//${found.spkiSha256}, valid until ${found.notAfter}`;
  if (Date.parse(found.notAfter) < now.getTime()) {
    return fail('TLS', `${detail}: expired`, tls.certFile ? 'renew the certificate in server.tls.certFile' : 'restart printgate: it makes a new one');
  }
  return pass('TLS', detail);
}

/** A clock far in the past: a Pi has no battery clock and starts in the past until NTP answers. */
export function checkClock(now: Date): DoctorCheck {
  return now.getUTCFullYear() < 2025
    ? fail('clock', `the clock says ${now.toISOString()}: not set yet`, 'a Pi has no battery clock: give it network time (timedatectl set-ntp true; timedatectl timesync-status)')
    : pass('clock', now.toISOString());
}
