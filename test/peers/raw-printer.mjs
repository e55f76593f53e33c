// A raw (JetDirect/9100) printer announced as _pdl-datastream._tcp by bonjour-service, plus its TCP sink.
// usage (inside a pgd-* namespace): node raw-printer.mjs IFACE_IP OUTFILE PORT NAME TXT_JSON
// SIGTERM sends a goodbye and exits; SIGKILL is a crash (no goodbye).
import { Bonjour } from 'bonjour-service';
import fs from 'node:fs';
import net from 'node:net';
import { refuseOutsideNetns } from '../../dist/bench/peers/netns-guard.js';

refuseOutsideNetns('raw-printer.mjs');
const [ip, out, portArg, name, txtJson] = process.argv.slice(2);
const port = Number(portArg);
// A printer takes a reset connection in its stride (the gateway resets a status query a raw
// printer does not answer, so that it never prints it as a job).
const sink = net.createServer((socket) => {
  socket.on('error', () => undefined);
  socket.pipe(fs.createWriteStream(out, { flags: 'a' }));
});
sink.listen(port, '0.0.0.0');
const bonjour = new Bonjour({ interface: ip, bind: '0.0.0.0' }, (error) => console.log('mdns error', String(error)));
const service = bonjour.publish({ name, type: 'pdl-datastream', port, host: 'raw-printer.local', disableIPv6: true, txt: JSON.parse(txtJson) });
service.on('up', () => console.log('published'));
let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  bonjour.unpublishAll(() => bonjour.destroy(() => process.exit(0)));
  setTimeout(() => process.exit(1), 2000).unref();
});
