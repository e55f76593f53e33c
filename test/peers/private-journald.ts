import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const JOURNALD = '/lib/systemd/systemd-journald';

/**
 * Runs `command` with its stdout and stderr connected to a real systemd-journald, as a service's are
 * (a stream with level prefixes on), and JOURNAL_STREAM set as systemd sets it; then answers what
 * `journalctl` shows. journald runs in a private mount namespace on tmpfs (/run/systemd, /run/log):
 * the host's journal is never touched, and the namespace goes when the script ends.
 */
export function runUnderJournald(command: string, journalctlArgs: string[][], timeoutMs = 30_000): string[] {
  for (const program of ['unshare', 'systemd-cat', 'journalctl']) {
    if (spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status !== 0) {
      throw new Error(`${program} is missing: install the Debian packages systemd and util-linux`);
    }
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'printgate-journald-'));
  try {
    writeFileSync(path.join(dir, 'journald.conf'), '[Journal]\nStorage=volatile\nReadKMsg=no\nForwardToSyslog=no\nForwardToWall=no\nForwardToConsole=no\n');
    writeFileSync(path.join(dir, 'command.sh'), command);
    const queries = journalctlArgs.map((args) => `echo '--- journalctl'; journalctl --no-pager -t printgate-test ${args.join(' ')}`).join('\n');
    const script = `set -e
mount -t tmpfs tmpfs /run/systemd
mkdir -p /run/systemd/journal /run/log
mount -t tmpfs tmpfs /run/log
mount --bind ${dir}/journald.conf /etc/systemd/journald.conf
${JOURNALD} >${dir}/journald.log 2>&1 &
JD=$!
trap 'kill $JD 2>/dev/null || true' EXIT
i=0; while [ ! -S /run/systemd/journal/stdout ]; do i=$((i+1)); [ $i -lt 100 ] || { cat ${dir}/journald.log; exit 3; }; sleep 0.05; done
systemd-cat -t printgate-test sh -c 'JOURNAL_STREAM=$(stat -L -c %d:%i /proc/$$/fd/1) && export JOURNAL_STREAM && exec sh ${dir}/command.sh' || true
journalctl --no-pager --sync 2>/dev/null || sleep 0.5
${queries}
`;
    const run = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { encoding: 'utf8', timeout: timeoutMs });
    if (run.status !== 0) throw new Error(`journald run failed (${run.status ?? run.signal}): ${run.stderr}\n${run.stdout}`);
    return run.stdout.split('--- journalctl\n').slice(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
