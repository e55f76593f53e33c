import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { requireProgram } from '../peers/ipp-documents.js';
import { inNamespace, lan, removeNamespace, runIn } from '../peers/ipp-netns.js';

/**
 * The IPP printers announced by mDNS, only inside namespaces this test makes (prefix pgi-, subnet
 * 10.213.50.0/24): the gateway runs in pgi-m-gw with discovery.interfaces [eth0], a browser and
 * ipptool in pgi-m-cl on the same bridge. Nothing here multicasts in the host's namespace.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const CLI = path.join(ROOT, 'dist/src/cli.js');
const BROWSE = path.join(ROOT, 'test/peers/ipp-browse.mjs');
const SW = 'pgi-m-sw';
const GW = 'pgi-m-gw';
const CL = 'pgi-m-cl';
const GW_ADDRESS = '10.213.50.2';

let dir: string;
let gateway: ChildProcess;
let gatewayLog = '';

interface Heard {
  type?: string;
  name?: string;
  ttl?: number;
  data?: unknown;
  done?: boolean;
}

async function browse(seconds: number): Promise<Heard[]> {
  const run = await runIn(CL, process.execPath, [BROWSE, 'eth0', String(seconds)], (seconds + 10) * 1000);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Heard);
}

beforeAll(async () => {
  requireProgram('ip', 'iproute2');
  requireProgram('ipptool', 'cups-ipp-utils');
  for (const name of [GW, CL, SW]) removeNamespace(name);
  lan(SW, { [GW]: GW_ADDRESS, [CL]: '10.213.50.3' });
  dir = mkdtempSync(path.join(tmpdir(), 'printgate-ipp-mdns-'));
  writeFileSync(
    path.join(dir, 'printgate.yaml'),
    JSON.stringify({
      server: { host: '0.0.0.0', port: 8631 },
      dataDir: path.join(dir, 'var'),
      log: { level: 'info' },
      printers: [{ name: 'Till', group: 'store1', appId: 'till', uri: `socket://${GW_ADDRESS}:9100`, language: 'escpos', profile: 'epson-tm-m30', statusQuery: 'off' }],
      discovery: { interfaces: ['eth0'], serial: false, usb: false },
      ipp: { enabled: true, port: 8632, allow: ['10.213.50.0/24'] },
    }),
  );
  gateway = inNamespace(GW, process.execPath, [CLI, 'serve', '--config', path.join(dir, 'printgate.yaml')]);
  gateway.stdout?.on('data', (chunk: Buffer) => (gatewayLog += chunk.toString()));
  gateway.stderr?.on('data', (chunk: Buffer) => (gatewayLog += chunk.toString()));
  await waitFor('the gateway announcing its IPP printer', () => {
    if (gateway.exitCode !== null) throw new Error(`the gateway exited: ${gatewayLog.slice(-2000)}`);
    return gatewayLog.includes('"type":"_ipp._tcp"') && gatewayLog.includes('mdns service announced');
  }, 30_000, 100);
}, 60_000);

afterAll(async () => {
  if (gateway && gateway.exitCode === null) gateway.kill('SIGKILL');
  for (const name of [GW, CL, SW]) removeNamespace(name);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('IPP printers announced by mDNS (in test namespaces only)', () => {
  it('the browser refuses to run outside a pgi-* namespace', () => {
    const outside = spawnSync(process.execPath, [BROWSE, 'lo', '1'], { encoding: 'utf8', timeout: 10_000 });
    expect(outside.status).toBe(2);
    expect(outside.stderr).toMatch(/not inside a pgi-\* network namespace: refusing/);
  });

  it('announces _ipp._tcp with the _print and _universal subtypes and the TXT keys AirPrint and IPP Everywhere read', async () => {
    const heard = await browse(3);
    const instance = 'Till (printgate)._ipp._tcp.local';
    const ptrs = heard.filter((record) => record.type === 'PTR' && record.data === instance).map((record) => record.name);
    expect(new Set(ptrs)).toEqual(new Set(['_ipp._tcp.local', '_print._sub._ipp._tcp.local', '_universal._sub._ipp._tcp.local']));
    const srv = heard.find((record) => record.type === 'SRV' && record.name === instance);
    expect(srv?.data).toMatchObject({ port: 8632 });
    const txt = heard.find((record) => record.type === 'TXT' && record.name === instance)?.data as Record<string, string>;
    expect(txt).toMatchObject({ rp: 'ipp/print/till', ty: 'Epson TM-m30', kind: 'receipt', Color: 'F', Duplex: 'F', air: 'none', adminurl: expect.stringMatching(/^http:\/\/.+:8631\/$/) });
    expect(txt.UUID).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(txt.pdl!.split(',')).toEqual(expect.arrayContaining(['application/pdf', 'image/pwg-raster', 'image/urf', 'image/jpeg', 'application/vnd.escpos']));
    expect(txt.URF).toBe('V1.4,CP1,PQ4,RS203,W8,SRGB24');
  });

  it('a client on the allowed network reaches the announced printer over IPP', async () => {
    const run = await runIn(CL, 'ipptool', ['-tv', `ipp://${GW_ADDRESS}:8632/ipp/print/till`, '/usr/share/cups/ipptool/get-printer-attributes.test']);
    expect(run.stdout).toMatch(/\[PASS\]/);
    expect(run.stdout).toMatch(/printer-uuid \(uri\) = urn:uuid:/);
  });

  it('withdraws the printer with a goodbye (TTL 0) when the gateway stops', async () => {
    const listening = browse(4);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    gateway.kill('SIGTERM');
    const heard = await listening;
    const goodbye = heard.filter((record) => record.ttl === 0 && (record.name === 'Till (printgate)._ipp._tcp.local' || record.data === 'Till (printgate)._ipp._tcp.local'));
    expect(goodbye.length, JSON.stringify(heard.slice(-10))).toBeGreaterThan(0);
    await waitFor('the gateway to exit', () => gateway.exitCode !== null, 15_000);
  });
});
