// Refuses to go on unless this process runs inside a test network namespace (ip netns exec pgd-...):
// a peer that speaks mDNS in the host's own namespace would multicast out of the machine's real NIC.
import fs from 'node:fs';

export function refuseOutsideNetns(script) {
  let name;
  try {
    const self = fs.statSync('/proc/self/ns/net').ino;
    name = fs.readdirSync('/run/netns').find((entry) => {
      try {
        return fs.statSync(`/run/netns/${entry}`).ino === self;
      } catch {
        return false;
      }
    });
  } catch {
    name = undefined;
  }
  if (!name || !name.startsWith('pgd-')) {
    console.error(`${script}: not inside a pgd-* network namespace: refusing to speak mDNS (run it with ip netns exec)`);
    process.exit(2);
  }
  return name;
}
