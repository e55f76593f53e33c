import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { REPO_ROOT } from '../helpers/cli-process.js';
import { runInRoot } from '../peers/throwaway-root.js';

const INSTALL = path.join(REPO_ROOT, 'systemd/install.sh');
const UNINSTALL = path.join(REPO_ROOT, 'systemd/uninstall.sh');

function run(script: string, args: string[]): { status: number | null; output: string } {
  const result = spawnSync(script, args, { encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Every file under dir: path, type, mode, owner and content hash (or link target); no times. */
function snapshot(dir: string, skip: (relative: string) => boolean = () => false): string[] {
  const out: string[] = [];
  const walk = (relative: string): void => {
    for (const name of readdirSync(path.join(dir, relative)).sort()) {
      const rel = path.join(relative, name);
      if (skip(rel)) continue;
      const full = path.join(dir, rel);
      const stat = lstatSync(full);
      const what = stat.isSymbolicLink()
        ? `-> ${readlinkSync(full)}`
        : stat.isDirectory()
          ? 'dir'
          : createHash('sha256').update(readFileSync(full)).digest('hex').slice(0, 16);
      out.push(`${rel} ${(stat.mode & 0o7777).toString(8)} ${stat.uid}:${stat.gid} ${what}`);
      if (stat.isDirectory()) walk(rel);
    }
  };
  walk('');
  return out;
}

/** The default route's interface on this host, as install.sh should find it ('' without one). */
function defaultInterface(): string {
  const line = readFileSync('/proc/net/route', 'utf8').split('\n').slice(1).find((row) => row.split(/\s+/)[1] === '00000000');
  return line?.split(/\s+/)[0] ?? '';
}

const field = (file: string, name: string): string[] | undefined =>
  readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find((fields) => fields[0] === name);

describe('systemd/install.sh in a throwaway root', () => {
  let root: string;
  const at = (file: string): string => path.join(root, file);

  beforeAll(() => {
    for (const program of ['useradd', 'groupadd', 'usermod', 'setpriv', 'unshare', 'chroot', 'npm']) {
      if (spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status !== 0) throw new Error(`${program} is missing (Debian packages passwd, util-linux, coreutils, npm)`);
    }
    if (!existsSync(path.join(REPO_ROOT, 'dist/src/cli.js'))) throw new Error('dist/ is missing: run "npm run build"');
    // A root with this host's user database, as a fresh Debian has one: lp and dialout exist, printgate not.
    root = mkdtempSync(path.join(tmpdir(), 'printgate-root-'));
    chmodSync(root, 0o755);
    mkdirSync(at('etc'));
    for (const file of ['passwd', 'group', 'shadow', 'gshadow', 'login.defs']) copyFileSync(`/etc/${file}`, at(`etc/${file}`));
    expect(field(at('etc/passwd'), 'printgate'), 'the host itself must not have a printgate user for this test').toBeUndefined();
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('installs the build, the user, the config with the LAN interface, the wrapper, udev rules and the enabled unit', () => {
    const first = run(INSTALL, ['--root', root, '--prebuilt']);
    expect(first.status, first.output).toBe(0);
    // The build, production dependencies only, native modules in place.
    expect(existsSync(at('opt/printgate/dist/src/cli.js'))).toBe(true);
    // Beside the code: the render threads' entry and the status page's files.
    expect(existsSync(at('opt/printgate/dist/drivers/render-worker.js'))).toBe(true);
    expect(existsSync(at('opt/printgate/dist/src/http/status/assets/index.html'))).toBe(true);
    expect(existsSync(at('opt/printgate/node_modules/better-sqlite3/build/Release/better_sqlite3.node'))).toBe(true);
    expect(existsSync(at('opt/printgate/node_modules/typescript'))).toBe(false);
    expect(existsSync(at('opt/printgate/node_modules/vitest'))).toBe(false);
    expect(existsSync(at('opt/printgate.new'))).toBe(false);
    // The system user, in groups lp and dialout, no login.
    const user = field(at('etc/passwd'), 'printgate');
    expect(user?.[5]).toBe('/var/lib/printgate');
    expect(user?.[6]).toBe('/usr/sbin/nologin');
    expect(Number(user?.[2])).toBeLessThan(1000);
    for (const group of ['lp', 'dialout']) expect(field(at('etc/group'), group)?.[3]?.split(',')).toContain('printgate');
    // The configuration: the service's data directory and the default route's interface.
    const config = parseYaml(readFileSync(at('etc/printgate/printgate.yaml'), 'utf8')) as { dataDir: string; printers: unknown[]; discovery: Record<string, unknown> };
    expect(config.dataDir).toBe('/var/lib/printgate');
    expect(config.printers).toEqual([]);
    const text = readFileSync(at('etc/printgate/printgate.yaml'), 'utf8');
    // discovery.interfaces as a key where the build knows it, else named in a comment (see write-config.mjs).
    const lan = defaultInterface();
    if (config.discovery.interfaces !== undefined) expect(config.discovery.interfaces).toEqual(lan ? [lan] : []);
    else expect(text).toContain(`# interfaces: [${lan}]`);
    expect(snapshot(root, (rel) => !rel.startsWith('etc/printgate') && rel !== 'etc')).toEqual(expect.arrayContaining([
      expect.stringMatching(/^etc\/printgate 750 0:\d+ dir$/),
      expect.stringMatching(/^etc\/printgate\/printgate\.yaml 640 0:\d+ /),
    ]));
    // The wrapper, the unit (enabled, with the node install.sh checked), udev rules, modules.
    const wrapper = readFileSync(at('usr/local/bin/printgate'), 'utf8');
    expect(wrapper).toContain(`NODE=${process.execPath}`);
    expect(wrapper).toContain('CLI=/opt/printgate/dist/src/cli.js');
    expect(wrapper).toContain('CONFIG=/etc/printgate/printgate.yaml');
    expect(lstatSync(at('usr/local/bin/printgate')).mode & 0o777).toBe(0o755);
    expect(readFileSync(at('etc/systemd/system/printgate.service'), 'utf8')).toContain(`ExecStart=${process.execPath} --max-semi-space-size=2 --heap-growing-percent=50 /opt/printgate/dist/src/cli.js serve --config /etc/printgate/printgate.yaml`);
    expect(readlinkSync(at('etc/systemd/system/multi-user.target.wants/printgate.service'))).toBe('/etc/systemd/system/printgate.service');
    const rules = readFileSync(at('etc/udev/rules.d/60-printgate.rules'), 'utf8');
    expect(rules).toContain('SUBSYSTEM=="usbmisc", KERNEL=="lp[0-9]*", GROUP="lp", MODE="0660"');
    expect(rules).toContain('SUBSYSTEM=="tty", KERNEL=="ttyUSB[0-9]*|ttyACM[0-9]*", GROUP="dialout", MODE="0660"');
    expect(readFileSync(at('etc/modules-load.d/printgate.conf'), 'utf8')).toMatch(/^usbserial$/m);
    // Data and backups belong to the service user, nobody else may look.
    const uid = Number(user?.[2]);
    expect(lstatSync(at('var/lib/printgate')).uid).toBe(uid);
    expect(lstatSync(at('var/lib/printgate')).mode & 0o777).toBe(0o750);
    expect(lstatSync(at('var/backups/printgate')).uid).toBe(uid);
  });

  it('is idempotent: a second run leaves every file, owner and mode as it was', () => {
    const before = snapshot(root);
    const second = run(INSTALL, ['--root', root, '--prebuilt']);
    expect(second.status, second.output).toBe(0);
    expect(second.output).toContain('kept /etc/printgate/printgate.yaml');
    expect(snapshot(root)).toEqual(before);
    expect(readFileSync(at('etc/passwd'), 'utf8').match(/^printgate:/gm)).toHaveLength(1);
  });

  it('the installed build serves as the unit runs it, and a key minted by the installed printgate command works against it', () => {
    const unit = readFileSync(at('etc/systemd/system/printgate.service'), 'utf8');
    const execStart = /^ExecStart=(.*)$/m.exec(unit)?.[1] ?? '';
    // A well-formed key the box never minted, made for this run (no key is written into the repo).
    const stranger = `pgk_live_${randomBytes(32).toString('hex')}`;
    const result = runInRoot(root, `
      # the service, as systemd would start it: its user, groups and command line (on 127.0.0.1:0 here)
      chroot "$R" setpriv --reuid=printgate --regid=printgate --init-groups env -i PATH=/usr/bin:/bin NODE_ENV=production PRINTGATE_SERVER_HOST=127.0.0.1 PRINTGATE_SERVER_PORT=0 \\
        sh -c 'cd /var/lib/printgate && exec ${execStart}' >"$OUT/serve.log" 2>&1 &
      SERVE=$!
      i=0; until grep -q '"msg":"listening"' "$OUT/serve.log"; do i=$((i+1)); [ $i -lt 400 ] || { cat "$OUT/serve.log"; exit 3; }; sleep 0.05; done
      URL=$(sed -n 's/.*"url":"\\([^"]*\\)".*/\\1/p' "$OUT/serve.log" | head -1)
      # a technician, as root, from another directory
      cd /
      chroot "$R" /usr/local/bin/printgate keys create --name tech --permissions ViewJobs --json >"$OUT/key.json"
      KEY=$(sed -n 's/.*"key": *"\\([^"]*\\)".*/\\1/p' "$OUT/key.json")
      echo "status-with-key $(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $KEY" "$URL/api/v1/jobs")"
      echo "status-without $(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer ${stranger}' "$URL/api/v1/jobs")"
      echo "db-owner $(chroot "$R" stat -c %U /var/lib/printgate/printgate.db)"
      echo "files-not-printgate $(chroot "$R" find /var/lib/printgate ! -user printgate | wc -l)"
      echo "version $(chroot "$R" /usr/local/bin/printgate --version)"
      # a second serve through the wrapper: refused, naming the service's PID
      chroot "$R" /usr/local/bin/printgate serve >"$OUT/second.log" 2>&1 && echo "second 0" || echo "second $?"
      echo "second-line $(cat "$OUT/second.log")"
      echo "serve-pid $(sed -n 's/.*"pid":\\([0-9]*\\).*/\\1/p' "$OUT/serve.log" | head -1)"
      # anyone else is told to use sudo
      chroot "$R" setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/local/bin/printgate keys list >"$OUT/nobody.log" 2>&1 && echo "nobody 0" || echo "nobody $?"
      kill -TERM $SERVE; wait $SERVE || true
    `);
    expect(result.status, result.output).toBe(0);
    const said = new Map(result.output.split('\n').map((line) => [line.split(' ')[0] ?? '', line.slice(line.indexOf(' ') + 1)]));
    expect(said.get('status-with-key'), result.output).toBe('200');
    expect(said.get('status-without')).toBe('401');
    expect(said.get('db-owner')).toBe('printgate');
    expect(said.get('files-not-printgate')).toBe('0');
    expect(said.get('version')).toMatch(/^printgate \d+\.\d+\.\d+$/);
    expect(said.get('second')).toBe('75');
    expect(said.get('second-line')).toMatch(/^printgate: the data directory \/var\/lib\/printgate is in use by another printgate \(PID \d+\)/);
    expect(said.get('nobody')).toBe('77');
  });

  it('an upgrade (install.sh again) backs the database up first and keeps config and data', () => {
    const config = readFileSync(at('etc/printgate/printgate.yaml'));
    const again = run(INSTALL, ['--root', root, '--prebuilt']);
    expect(again.status, again.output).toBe(0);
    expect(again.output).toMatch(/upgraded to printgate [\d.]+; config and data kept, database backed up to \/var\/backups\/printgate\/printgate-\d{8}T\d{6}Z-before-[\d.]+\.db/);
    expect(readFileSync(at('etc/printgate/printgate.yaml'))).toEqual(config);
    const backups = readdirSync(at('var/backups/printgate'));
    expect(backups).toHaveLength(1);
    const copy = new Database(at(`var/backups/printgate/${backups[0]}`), { readonly: true });
    expect(copy.prepare("SELECT name FROM api_keys WHERE name = 'tech'").all()).toHaveLength(1);
    copy.close();
    expect(lstatSync(at(`var/backups/printgate/${backups[0]}`)).mode & 0o777).toBe(0o600);
    const data = new Database(at('var/lib/printgate/printgate.db'), { readonly: true });
    expect(data.prepare("SELECT name FROM api_keys WHERE name = 'tech'").all()).toHaveLength(1);
    data.close();
    // Nothing the root-run backup opened became root's.
    for (const name of readdirSync(at('var/lib/printgate'))) expect(lstatSync(at(`var/lib/printgate/${name}`)).uid, name).not.toBe(0);
  });

  it('uninstall.sh removes the program and keeps config, data and user; --purge removes those too', () => {
    const kept = run(UNINSTALL, ['--root', root]);
    expect(kept.status, kept.output).toBe(0);
    for (const gone of ['opt/printgate', 'usr/local/bin/printgate', 'etc/systemd/system/printgate.service', 'etc/systemd/system/multi-user.target.wants/printgate.service', 'etc/udev/rules.d/60-printgate.rules', 'etc/modules-load.d/printgate.conf']) {
      expect(existsSync(at(gone)), gone).toBe(false);
    }
    for (const still of ['etc/printgate/printgate.yaml', 'var/lib/printgate/printgate.db']) expect(existsSync(at(still)), still).toBe(true);
    expect(field(at('etc/passwd'), 'printgate')).toBeDefined();
    const purged = run(UNINSTALL, ['--root', root, '--purge']);
    expect(purged.status, purged.output).toBe(0);
    for (const gone of ['etc/printgate', 'var/lib/printgate', 'var/backups/printgate']) expect(existsSync(at(gone)), gone).toBe(false);
    expect(field(at('etc/passwd'), 'printgate')).toBeUndefined();
    expect(field(at('etc/group'), 'printgate')).toBeUndefined();
    expect(field(at('etc/group'), 'lp')?.[3]?.split(',') ?? []).not.toContain('printgate');
  });
});
