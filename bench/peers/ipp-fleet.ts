import http from 'node:http';
import { createRequire } from 'node:module';
import makeMdns from 'multicast-dns';
import type { Answer } from 'dns-packet';
import { refuseOutsideNetns } from './netns-guard.js';

/**
 * A fleet of N IPP printers on one host, for the discovery benchmark (inside a pgd-* namespace):
 *   node dist/bench/peers/ipp-fleet.js IFACE_IP N
 * Announces N `_ipp._tcp` instances over mDNS (multicast-dns, answering PTR, SRV, TXT and A) and
 * answers Get-Printer-Attributes for each at http://IP:631/ipp/print/<i> with its own UUID.
 */
interface IppCodec {
  parse(buffer: Buffer): { id?: number };
  serialize(message: object): Buffer;
}
const ipp = createRequire(import.meta.url)('@sealsystems/ipp') as IppCodec;

refuseOutsideNetns('ipp-fleet');
const [address, countArg] = process.argv.slice(2) as [string, string];
const count = Number(countArg);
const uuid = (i: number): string => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const instance = (i: number): string => `Fleet Printer ${i}._ipp._tcp.local`;
const host = 'fleet.local';

const records = (i: number): Answer[] => [
  { name: '_ipp._tcp.local', type: 'PTR', ttl: 4500, data: instance(i) },
  { name: instance(i), type: 'SRV', ttl: 120, flush: true, data: { target: host, port: 631 } },
  { name: instance(i), type: 'TXT', ttl: 4500, flush: true, data: [Buffer.from(`rp=ipp/print/${i}`), Buffer.from(`UUID=${uuid(i)}`), Buffer.from('ty=Fleet Office'), Buffer.from('pdl=application/pdf')] },
];
const hostRecord: Answer = { name: host, type: 'A', ttl: 120, flush: true, data: address };

const mdns = makeMdns({ interface: address, bind: '0.0.0.0' });
mdns.on('query', (query) => {
  for (const question of query.questions) {
    const name = question.name.toLowerCase();
    if (question.type === 'PTR' && name === '_ipp._tcp.local') {
      for (let first = 0; first < count; first += 8) {
        const batch = Array.from({ length: Math.min(8, count - first) }, (_, k) => records(first + k)).flat();
        mdns.respond({ answers: batch, additionals: [hostRecord] });
      }
    } else if (name === host) {
      mdns.respond({ answers: [hostRecord] });
    } else {
      const i = Array.from({ length: count }, (_, k) => k).find((k) => instance(k).toLowerCase() === name);
      if (i !== undefined) mdns.respond({ answers: records(i).slice(1), additionals: [hostRecord] });
    }
  }
});

http
  .createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const i = Number(/\/ipp\/print\/(\d+)/.exec(request.url ?? '')?.[1] ?? -1);
      let id = 1;
      try {
        id = ipp.parse(Buffer.concat(chunks)).id ?? 1;
      } catch {
        // answer anyway
      }
      const body = ipp.serialize({
        version: '2.0',
        statusCode: 'successful-ok',
        id,
        'operation-attributes-tag': { 'attributes-charset': 'utf-8', 'attributes-natural-language': 'en-us' },
        'printer-attributes-tag': {
          'printer-uuid': `urn:uuid:${uuid(i)}`,
          'printer-make-and-model': 'Fleet Office 500',
          'printer-device-id': 'MFG:Fleet;MDL:Office 500;CMD:PDF,PWG;',
          'printer-name': `Fleet Printer ${i}`,
          'printer-state': 'idle',
          'printer-state-reasons': 'none',
          'printer-is-accepting-jobs': true,
          'document-format-supported': ['application/pdf', 'image/pwg-raster'],
          'printer-resolution-supported': [600, 600, 'dpi'],
          'media-supported': ['iso_a4_210x297mm', 'na_letter_8.5x11in'],
        },
      });
      response.writeHead(200, { 'content-type': 'application/ipp', 'content-length': body.length });
      response.end(body);
    });
  })
  .listen(631, address, () => process.stdout.write('fleet up\n'));
