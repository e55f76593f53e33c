// An mDNS browser for the IPP server's announcements, run only inside a pgi-* test namespace.
// usage: node ipp-browse.mjs IFNAME SECONDS   → one JSON line per record heard, then {"done":true}
import fs from 'node:fs';
import os from 'node:os';
import mdns from 'multicast-dns';

function currentNetns() {
  try {
    const self = fs.statSync('/proc/self/ns/net').ino;
    return fs.readdirSync('/run/netns').find((entry) => fs.statSync(`/run/netns/${entry}`).ino === self);
  } catch {
    return undefined;
  }
}

const netns = currentNetns();
if (!netns || !netns.startsWith('pgi-')) {
  process.stderr.write('ipp-browse.mjs: not inside a pgi-* network namespace: refusing to speak mDNS (run it with ip netns exec)\n');
  process.exit(2);
}
const [ifname, seconds] = process.argv.slice(2);
const address = (os.networkInterfaces()[ifname] ?? []).find((entry) => entry.family === 'IPv4')?.address;
if (!address) {
  process.stderr.write(`ipp-browse.mjs: no IPv4 address on ${ifname}\n`);
  process.exit(1);
}
const socket = mdns({ interface: address, bind: '0.0.0.0', reuseAddr: true, loopback: false });
const txtOf = (data) => Object.fromEntries((Array.isArray(data) ? data : [data]).map((entry) => Buffer.from(entry).toString('utf8')).map((pair) => [pair.split('=')[0], pair.slice(pair.indexOf('=') + 1)]));
socket.on('response', (packet) => {
  for (const record of [...packet.answers, ...packet.additionals]) {
    if (!['PTR', 'SRV', 'TXT', 'A'].includes(record.type)) continue;
    const data = record.type === 'TXT' ? txtOf(record.data) : record.data;
    console.log(JSON.stringify({ type: record.type, name: record.name, ttl: record.ttl, data }));
  }
});
const ask = () =>
  socket.query(['_ipp._tcp.local', '_ipps._tcp.local', '_print._sub._ipp._tcp.local', '_universal._sub._ipp._tcp.local'].map((name) => ({ name, type: 'PTR' })));
ask();
const timer = setInterval(ask, 1000);
setTimeout(() => {
  clearInterval(timer);
  console.log(JSON.stringify({ done: true }));
  socket.destroy(() => process.exit(0));
}, Number(seconds) * 1000);
