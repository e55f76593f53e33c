// Runs printgate's own gateway announcement (dist/src/discovery) inside a test namespace until SIGTERM.
// usage: node announce.mjs IFNAME PORT
import { announceGateway } from '../../dist/src/discovery/gateway-announcement.js';
import { refuseOutsideNetns } from '../../dist/bench/peers/netns-guard.js';

refuseOutsideNetns('announce.mjs');
const [ifname, port] = process.argv.slice(2);
const log = { debug() {}, info: (fields, message) => console.log(message, JSON.stringify(fields)), warn: (f, m) => console.log(m, JSON.stringify(f)), error: (f, m) => console.log(m, JSON.stringify(f)) };
const announcement = await announceGateway({ interfaces: [ifname], log, port: Number(port), version: '0.1.0', name: 'printgate on gw', hostname: 'gw-box' });
console.log('announced');
process.on('SIGTERM', () => void announcement.stop().then(() => process.exit(0)));
