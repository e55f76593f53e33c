import fs from 'node:fs';

/** The name of the `ip netns` namespace this process runs in (by the inode of its network namespace), if any. */
export function currentNetns(): string | undefined {
  try {
    const self = fs.statSync('/proc/self/ns/net').ino;
    return fs.readdirSync('/run/netns').find((entry) => {
      try {
        return fs.statSync(`/run/netns/${entry}`).ino === self;
      } catch {
        return false;
      }
    });
  } catch {
    return undefined;
  }
}

/**
 * Exits with status 2 unless this process runs inside a pgd-* test namespace: a peer that speaks
 * mDNS in the host's own namespace would multicast out of the machine's real NIC.
 */
export function refuseOutsideNetns(script: string): string {
  const name = currentNetns();
  if (!name || !name.startsWith('pgd-')) {
    process.stderr.write(`${script}: not inside a pgd-* network namespace: refusing to speak mDNS (run it with ip netns exec)\n`);
    process.exit(2);
  }
  return name;
}
