import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PrivateCupsd {
  /** ipp://127.0.0.1:PORT/printers/raw9100 */
  printerUrl: string;
  stop(): Promise<void>;
}

function need(program: string, pkg: string): void {
  if (spawnSync('sh', ['-c', `command -v ${program}`]).status === 0) return;
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  if (spawnSync('sh', ['-c', `command -v ${program}`]).status !== 0) throw new Error(`${program} is missing: apt-get install ${pkg}`);
}

async function waitForSocket(file: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`cupsd did not create ${file} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * A private cupsd (root only: cupsd drops to user lp) on 127.0.0.1:port with one raw queue that
 * forwards to `sinkUri` through CUPS's socket backend — the incumbent's path, for comparison.
 */
export async function startPrivateCupsd(port: number, sinkUri: string): Promise<PrivateCupsd> {
  need('cupsd', 'cups-daemon');
  need('lpadmin', 'cups-client');
  if (!existsSync('/usr/lib/cups/backend/socket')) need('/usr/lib/cups/backend/socket', 'cups');
  const dir = mkdtempSync(path.join(tmpdir(), 'printgate-cupsd-'));
  for (const sub of ['spool', 'tmp', 'cache', 'state', 'log', 'ppd']) mkdirSync(path.join(dir, sub));
  spawnSync('chmod', ['755', dir]);
  for (const sub of ['spool', 'tmp', 'cache', 'state']) chownSync(path.join(dir, sub), 7, 7); // lp:lp on Debian
  const sock = path.join(dir, 'cups.sock');
  writeFileSync(
    path.join(dir, 'cupsd.conf'),
    [
      `Listen 127.0.0.1:${port}`,
      `Listen ${sock}`,
      'Browsing Off',
      'WebInterface No',
      'LogLevel warn',
      'DefaultAuthType None',
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
      'FileDevice Yes',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('cupsd', ['-f', '-c', path.join(dir, 'cupsd.conf'), '-s', path.join(dir, 'cups-files.conf')], { stdio: 'ignore' });
  await waitForSocket(sock, 10_000);
  const added = spawnSync('lpadmin', ['-h', sock, '-p', 'raw9100', '-E', '-v', sinkUri, '-m', 'raw'], { encoding: 'utf8' });
  if (added.status !== 0) throw new Error(`lpadmin failed: ${added.stderr}`);
  return {
    printerUrl: `ipp://127.0.0.1:${port}/printers/raw9100`,
    stop: async () => {
      child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 200));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
