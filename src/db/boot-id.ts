import { readFileSync } from 'node:fs';

/** The kernel's id of this boot (Linux), or null where there is none: it changes with every reboot and power cut. */
export function readBootId(path = '/proc/sys/kernel/random/boot_id'): string | null {
  try {
    return readFileSync(path, 'utf8').trim() || null;
  } catch {
    return null;
  }
}
