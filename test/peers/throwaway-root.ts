import { spawnSync } from 'node:child_process';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * Runs a shell script with a throwaway root ($R) made runnable: this host's programs and libraries
 * bind-mounted read-only under $R/usr (its own /usr/local, /etc, /opt and /var stay), /dev, a
 * /proc and a /tmp, all in a private mount namespace and a private network namespace with only
 * loopback — nothing the script starts reaches the host's network (no mDNS on the host's LAN).
 * $OUT is a scratch directory outside the root. Answers the exit status and stdout + stderr.
 */
export function runInRoot(root: string, script: string, timeoutMs = 120_000): { status: number | null; output: string } {
  const out = mkdtempSync(path.join(tmpdir(), 'printgate-root-out-'));
  const hostNet = readlinkSync('/proc/self/ns/net');
  const prologue = `set -eu
R='${root}'; OUT='${out}'
[ "$(readlink /proc/self/ns/net)" != '${hostNet}' ] || { echo "not in a private network namespace" >&2; exit 4; }
ip link set lo up
for d in usr/bin usr/sbin usr/lib usr/lib64 usr/libexec usr/share; do
  [ -d "/$d" ] || continue
  mkdir -p "$R/$d"; mount --bind "/$d" "$R/$d"; mount -o remount,bind,ro "$R/$d"
done
for l in bin sbin lib lib64; do [ -e "$R/$l" ] || ln -s "usr/$l" "$R/$l"; done
mkdir -p "$R/dev" "$R/proc" "$R/tmp" "$R/run"; chmod 1777 "$R/tmp"
mount --rbind /dev "$R/dev"; mount -t proc proc "$R/proc"; mount -t tmpfs tmpfs "$R/run"
for f in ld.so.cache nsswitch.conf hosts; do [ -e "$R/etc/$f" ] || cp "/etc/$f" "$R/etc/$f"; done
`;
  try {
    const run = spawnSync('unshare', ['-m', '-n', '--propagation', 'private', 'sh', '-c', prologue + script], { encoding: 'utf8', timeout: timeoutMs });
    return { status: run.status, output: `${run.stdout}${run.stderr}${run.error ? String(run.error) : ''}` };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
