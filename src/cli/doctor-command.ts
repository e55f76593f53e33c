import { accessSync, constants, existsSync, readFileSync, statfsSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { openDatabase } from '../db/open-database.js';
import { printJson, type CliIo } from './cli-io.js';
import { probeUri } from './probe-command.js';

export interface DoctorCheck {
  check: string;
  ok: boolean;
  detail: string;
  /** What to do about it, when not ok. */
  fix?: string;
}

function checkDataDir(config: Readonly<Config>): DoctorCheck[] {
  const dir = path.resolve(config.dataDir);
  const checks: DoctorCheck[] = [];
  try {
    const db = openDatabase({ dataDir: dir });
    const version = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number }).v;
    db.close();
    accessSync(dir, constants.W_OK);
    checks.push({ check: 'data directory', ok: true, detail: `${dir} writable, database at schema ${version}` });
  } catch (error) {
    checks.push({
      check: 'data directory',
      ok: false,
      detail: `${dir}: ${(error as Error).message}`,
      fix: `create it and give the service user write access: install -d -o printgate ${dir}`,
    });
    return checks;
  }
  const fs = statfsSync(dir);
  const freeMiB = Math.floor((fs.bavail * fs.bsize) / 1024 / 1024);
  checks.push(
    freeMiB >= 100
      ? { check: 'disk space', ok: true, detail: `${freeMiB} MiB free under ${dir}` }
      : { check: 'disk space', ok: false, detail: `only ${freeMiB} MiB free under ${dir}`, fix: 'lower jobs.keepDays / jobs.keepCount or free space' },
  );
  return checks;
}

async function checkPort(config: Readonly<Config>): Promise<DoctorCheck> {
  const { host, port } = config.server;
  const free = await new Promise<string | null>((resolve) => {
    const server = net.createServer();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen(port, host, () => server.close(() => resolve(null)));
  });
  if (free === null) return { check: 'HTTP port', ok: true, detail: `${host}:${port} is free` };
  if (free === 'EADDRINUSE') {
    const healthy = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2000) })
      .then((answer) => answer.ok)
      .catch(() => false);
    return healthy
      ? { check: 'HTTP port', ok: true, detail: `${host}:${port} is served by a running printgate (healthz ok)` }
      : { check: 'HTTP port', ok: false, detail: `${host}:${port} is taken by another program`, fix: 'find it with `ss -ltnp` or change server.port' };
  }
  return { check: 'HTTP port', ok: false, detail: `${host}:${port}: ${free}`, fix: 'ports below 1024 need root; use 8631' };
}

function checkDevicePath(uri: string): DoctorCheck | null {
  const match = /^(?:serial|usb):(\/[^?]*)/.exec(uri);
  if (!match) return null;
  const device = match[1]!;
  if (!existsSync(device)) return { check: `device ${device}`, ok: false, detail: 'does not exist', fix: 'check the cable and `ls -l /dev/serial/by-id /dev/usb`' };
  try {
    accessSync(device, constants.R_OK | constants.W_OK);
    return { check: `device ${device}`, ok: true, detail: 'readable and writable' };
  } catch {
    const group = statSync(device).gid;
    return { check: `device ${device}`, ok: false, detail: `no read/write access (group id ${group})`, fix: 'add the service user to the dialout (serial) or lp (USB) group' };
  }
}

function checkCloud(config: Readonly<Config>): DoctorCheck[] {
  const cloud = config.cloud;
  if (!cloud.url) return [{ check: 'cloud sync', ok: true, detail: 'off (cloud.url not set)' }];
  const checks: DoctorCheck[] = [];
  if (!cloud.gatewayId) checks.push({ check: 'cloud.gatewayId', ok: false, detail: 'missing', fix: 'set cloud.gatewayId to the id the cloud portal shows' });
  if (cloud.publicKeys.length === 0) checks.push({ check: 'cloud.publicKeys', ok: false, detail: 'empty: no feed can be verified', fix: 'paste the signing key from the cloud portal' });
  if (!cloud.tokenFile || !existsSync(cloud.tokenFile)) {
    checks.push({ check: 'cloud token', ok: false, detail: `token file ${cloud.tokenFile ?? '(unset)'} missing`, fix: 'write the gateway token to cloud.tokenFile, mode 0600' });
  } else {
    const mode = statSync(cloud.tokenFile).mode & 0o077;
    const empty = readFileSync(cloud.tokenFile, 'utf8').trim() === '';
    checks.push(
      mode !== 0 || empty
        ? { check: 'cloud token', ok: false, detail: empty ? 'token file is empty' : 'token file is readable by others', fix: `chmod 600 ${cloud.tokenFile}` }
        : { check: 'cloud token', ok: true, detail: `${cloud.tokenFile} (0600)` },
    );
  }
  return checks;
}

/** doctor: checks what a technician would check, and prints a fix for each failure. */
export async function runDoctor(config: Readonly<Config>, source: string | null, log: Logger, io: CliIo): Promise<boolean> {
  const checks: DoctorCheck[] = [{ check: 'configuration', ok: true, detail: source ?? 'embedded defaults' }];
  checks.push(...checkDataDir(config));
  checks.push(await checkPort(config));
  for (const printer of config.printers) {
    const device = checkDevicePath(printer.uri);
    if (device) checks.push(device);
    const report = await probeUri(config, log, printer.uri);
    checks.push(
      report.reachable
        ? { check: `printer ${printer.name}`, ok: true, detail: `${printer.uri} answers (${report.ms} ms)` }
        : { check: `printer ${printer.name}`, ok: false, detail: `${printer.uri}: ${report.error}`, fix: 'power, cable, address; `printers probe URI` retries one' },
    );
  }
  checks.push(...checkCloud(config));
  const healthy = checks.every((check) => check.ok);
  if (io.json) printJson(io, { ok: healthy, checks });
  else {
    for (const check of checks) {
      io.out(`${check.ok ? 'ok  ' : 'FAIL'}  ${check.check}: ${check.detail}`);
      if (!check.ok && check.fix) io.out(`      fix: ${check.fix}`);
    }
    io.out(healthy ? 'All checks passed.' : 'Some checks failed: see the fixes above.');
  }
  return healthy;
}
