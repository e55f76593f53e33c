// A hostile mDNS responder for discovery's bounds (inside a pgd-* namespace only):
//   node hostile-responder.mjs flood IP[,IP...] SERVICES_PER_IP
//     each address announces SERVICES_PER_IP _pdl-datastream._tcp services (names with control
//     characters among them, hostile TTLs)
//   node hostile-responder.mjs odd IP
//     services with huge and malformed TXT records, and three _ipp._tcp printers whose IPP port
//     answers garbage, never answers, or sends an endless body
// Both multicast undecodable packets too. Each address answers PTR queries at most once a second.
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';
import mdnsLib from 'multicast-dns';
import { refuseOutsideNetns } from '../../dist/bench/peers/netns-guard.js';

refuseOutsideNetns('hostile-responder.mjs');
const [mode, addressList, perAddressArg] = process.argv.slice(2);
const addresses = addressList.split(',');
const perAddress = Number(perAddressArg);
const ESC = String.fromCharCode(27);
const BEL = String.fromCharCode(7);

// IPP ports that misbehave (odd mode): garbage, silence, an endless body.
function startBrokenIpp() {
  const garbage = 'HTTP/1.1 200 OK\r\nContent-Type: application/ipp\r\nContent-Length: 64\r\n\r\n' + 'garbage!'.repeat(8);
  net.createServer((socket) => socket.end(garbage)).listen(8001, '0.0.0.0');
  net.createServer(() => undefined).listen(8002, '0.0.0.0');
  http
    .createServer((request, response) => {
      response.writeHead(200, { 'content-type': 'application/ipp' });
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      const pump = () => {
        while (!response.destroyed && response.write(chunk));
        if (!response.destroyed) response.once('drain', pump);
      };
      pump();
      request.on('close', () => response.destroy());
    })
    .listen(8003, '0.0.0.0');
}
if (mode === 'odd') startBrokenIpp();

const txt = (...strings) => strings.map((item) => (Buffer.isBuffer(item) ? item : Buffer.from(item)));

function floodRecords(index, address) {
  const records = [];
  for (let i = 0; i < perAddress; i += 1) {
    const name = i % 50 === 0 ? `evil${BEL}${ESC}[2J${index}-${i}` : `flood-${index}-${i}`;
    const fqdn = `${name}._pdl-datastream._tcp.local`;
    const host = `flood-${index}-${i % 20}.local`;
    records.push(
      { name: '_pdl-datastream._tcp.local', type: 'PTR', ttl: 4500, data: fqdn },
      { name: fqdn, type: 'SRV', ttl: 120, data: { target: host, port: 9100 } },
      { name: fqdn, type: 'TXT', ttl: 4500, data: txt(`ty=Flood${ESC}[31m ${i}`, 'pdl=application/vnd.escpos') },
      { name: host, type: 'A', ttl: 2 ** 31 - 1, data: address },
    );
  }
  return records;
}

function oddRecords(address) {
  const host = 'odd.local';
  const service = (name, type, port, data) => [
    { name: `_${type}._tcp.local`, type: 'PTR', ttl: 4500, data: `${name}._${type}._tcp.local` },
    { name: `${name}._${type}._tcp.local`, type: 'SRV', ttl: 120, data: { target: host, port } },
    { name: `${name}._${type}._tcp.local`, type: 'TXT', ttl: 4500, data },
  ];
  return [
    ...service('Huge TXT', 'pdl-datastream', 9100, txt(...Array.from({ length: 30 }, (_, i) => `k${i}=${'x'.repeat(240)}`))),
    ...service('Malformed TXT', 'pdl-datastream', 9101, txt('=nokey', Buffer.from([0, 1, 2, 0x3d, 0xff, 0xfe]), 'ty', 'UUID=not-a-uuid', `note=${BEL}bell`)),
    ...service('Garbage IPP', 'ipp', 8001, txt('rp=ipp/print', 'ty=Garbage 1')),
    ...service('Silent IPP', 'ipp', 8002, txt('rp=ipp/print', 'ty=Silent 1')),
    ...service('Endless IPP', 'ipp', 8003, txt('rp=ipp/print', 'ty=Endless 1')),
    { name: host, type: 'A', ttl: 120, data: address },
  ];
}

const sockets = addresses.map((address, index) => {
  const socket = mdnsLib({ interface: address, bind: '0.0.0.0' });
  const records = mode === 'odd' ? oddRecords(address) : floodRecords(index, address);
  let last = 0;
  const flood = () => {
    last = Date.now();
    for (let offset = 0; offset < records.length; offset += 24) socket.respond({ answers: records.slice(offset, offset + 24) });
  };
  socket.on('ready', flood);
  socket.on('query', (query) => {
    if (Date.now() - last >= 1000 && query.questions.some((question) => question.type === 'PTR')) flood();
  });
  return socket;
});

// Undecodable packets to the mDNS group.
const raw = dgram.createSocket({ type: 'udp4', reuseAddr: true });
raw.bind(0, addresses[0], () => {
  raw.setMulticastInterface(addresses[0]);
  const noise = setInterval(() => {
    raw.send(Buffer.from([0, 0, 0x84, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0xc0, 0xff, 1, 2, 3]), 5353, '224.0.0.251');
    raw.send(Buffer.alloc(300, 0xff), 5353, '224.0.0.251');
  }, 300);
  process.on('SIGTERM', () => {
    clearInterval(noise);
    process.exit(0);
  });
});
console.log('hostile responder up');
void sockets;
