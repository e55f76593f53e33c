import { spawnSync } from 'node:child_process';

const has = (program: string): boolean => spawnSync('sh', ['-c', `command -v ${program}`], { timeout: 10_000 }).status === 0;

/**
 * A program a benchmark runs: present, or installed with apt-get when running as root (bounded),
 * else an error naming the package — the row that needs it FAILS, it is never skipped silently.
 */
export function needProgram(program: string, pkg: string): void {
  if (has(program)) return;
  if (process.getuid?.() === 0) {
    spawnSync('apt-get', ['install', '-y', '--no-install-recommends', pkg], { stdio: 'inherit', timeout: 300_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  if (!has(program)) throw new Error(`${program} is missing: apt-get install ${pkg}${process.getuid?.() === 0 ? '' : ' (as root)'}`);
}
