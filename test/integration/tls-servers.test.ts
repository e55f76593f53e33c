import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { createLogger } from '../../src/log/create-logger.js';
import { createServers, type Servers } from '../../src/http/create-servers.js';
import { loadOrCreateCertificate, type TlsMaterial } from '../../src/tls/tls-certificate.js';
import { tlsTxtRecord } from '../../src/tls/tls-summary.js';

/**
 * TLS on the LAN with real clients on 127.0.0.1: node's https trusting the generated certificate,
 * curl pinning its public key (`--pinnedpubkey sha256//…`), and plain HTTP limited per httpMode.
 */

let dir: string;
let servers: Servers | undefined;
const log = createLogger({ level: 'silent' });
const BOX = () => ['printgate-test', 'printgate-test.local', 'localhost', '127.0.0.1', '::1'];

const app = express();
app.get('/api/v1/me', (_req, res) => res.json({ who: 'a key holder' }));
app.post('/cloudprnt/:group', (req, res) => res.json({ jobReady: false, group: req.params.group }));

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'printgate-tls-'));
});
afterEach(async () => {
  await servers?.close();
  servers = undefined;
  rmSync(dir, { recursive: true, force: true });
});

const tlsConfig = (tls: Record<string, unknown>) => parseConfig({ dataDir: dir, server: { host: '127.0.0.1', port: 0, tls: { enabled: true, port: 0, ...tls } } });

async function start(tls: Record<string, unknown> = {}): Promise<{ servers: Servers; material: TlsMaterial }> {
  const config = tlsConfig(tls);
  const material = await loadOrCreateCertificate({ dataDir: dir, ...config.server.tls, now: () => new Date(), boxNames: BOX });
  servers = await createServers(app, config, material, log);
  return { servers, material };
}

function httpsGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca, timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

/** curl as a child process (asynchronous: the servers under test run in this process). */
function curl(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '--max-time', '10', ...args]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', () => reject(new Error('curl is missing: apt-get install curl (npm test installs it as root)')));
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('TLS: the certificate the box makes', () => {
  it('is ECDSA P-256 for the box names, kept 0600 in the data directory, and the same at the next start', async () => {
    const first = await start();
    expect(first.material).toMatchObject({ source: 'generated', renewed: 'first start' });
    expect(first.material.names).toEqual(expect.arrayContaining(['printgate-test', 'printgate-test.local', 'localhost', '127.0.0.1']));
    expect(statSync(path.join(dir, 'tls', 'key.pem')).mode & 0o777).toBe(0o600);
    const text = spawnSync('openssl', ['x509', '-noout', '-text'], { input: first.material.cert, encoding: 'utf8' }).stdout;
    expect(text).toContain('ASN1 OID: prime256v1');
    expect(text).toContain('TLS Web Server Authentication');
    await servers!.close();
    const again = await loadOrCreateCertificate({ dataDir: dir, ...tlsConfig({}).server.tls, now: () => new Date(), boxNames: BOX });
    expect(again).toMatchObject({ renewed: null, sha256: first.material.sha256 });
    // 30 days before expiry, or with a new address, it is made again.
    const late = await loadOrCreateCertificate({ dataDir: dir, ...tlsConfig({}).server.tls, now: () => new Date(Date.now() + 370 * 86_400_000), boxNames: BOX });
    expect(late.renewed).toMatch(/^expires /);
    const moved = await loadOrCreateCertificate({ dataDir: dir, ...tlsConfig({}).server.tls, now: () => new Date(), boxNames: () => [...BOX(), '192.0.2.10'] });
    expect(moved.renewed).toBe('new names 192.0.2.10');
    expect(tlsTxtRecord(moved, 8632)).toEqual({ tls: '1', httpsport: '8632', sha256: moved.sha256.replace(/:/g, '').toLowerCase(), spki: moved.spkiSha256 });
  });

  it('serves HTTPS to node with the certificate as CA, and to curl pinning its public key', async () => {
    const { servers: s, material } = await start();
    const port = new URL(s.httpsUrl!).port;
    expect(await httpsGet(`https://localhost:${port}/api/v1/me`, material.cert)).toEqual({ status: 200, body: '{"who":"a key holder"}' });
    expect(readFileSync(path.join(dir, 'tls', 'cert.pem'), 'utf8')).toBe(material.cert);
    const caFile = path.join(dir, 'ca.pem');
    writeFileSync(caFile, material.cert);
    const pinned = await curl(['--cacert', caFile, '--pinnedpubkey', `sha256//${material.spkiSha256}`, `https://127.0.0.1:${port}/api/v1/me`]);
    expect(pinned).toMatchObject({ status: 0, stdout: '{"who":"a key holder"}' });
    // Pinning alone (no CA, -k): still refuses another key.
    const wrong = await curl(['-k', '--pinnedpubkey', `sha256//${Buffer.alloc(32).toString('base64')}`, `https://127.0.0.1:${port}/api/v1/me`]);
    expect(wrong.status).toBe(90);
    expect((await curl(['-k', '--pinnedpubkey', `sha256//${material.spkiSha256}`, `https://127.0.0.1:${port}/api/v1/me`])).status).toBe(0);
    // Without trusting it, a client refuses the self-signed certificate.
    expect((await curl([`https://127.0.0.1:${port}/api/v1/me`])).status).toBe(60);
  });

  it('uses the operator certificate when certFile and keyFile are given', async () => {
    const generated = await loadOrCreateCertificate({ dataDir: path.join(dir, 'elsewhere'), renewDaysBefore: 30, now: () => new Date(), boxNames: BOX });
    writeFileSync(path.join(dir, 'op-cert.pem'), generated.cert);
    writeFileSync(path.join(dir, 'op-key.pem'), generated.key);
    const { material } = await start({ certFile: path.join(dir, 'op-cert.pem'), keyFile: path.join(dir, 'op-key.pem') });
    expect(material).toMatchObject({ source: 'operator', sha256: generated.sha256 });
  });
});

describe('TLS: what plain HTTP still serves (httpMode)', () => {
  it('full: everything on both', async () => {
    const { servers: s } = await start({ httpMode: 'full' });
    expect((await fetch(`${s.url}/api/v1/me`)).status).toBe(200);
  });

  it('redirect: only 308s to the same path on HTTPS', async () => {
    const { servers: s } = await start({ httpMode: 'redirect' });
    const port = new URL(s.httpsUrl!).port;
    const res = await fetch(`${s.url}/api/v1/me?x=1`, { redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe(`https://127.0.0.1:${port}/api/v1/me?x=1`);
    expect((await fetch(`${s.url}/cloudprnt/store1`, { method: 'POST', redirect: 'manual' })).status).toBe(308);
  });

  it('cloudprnt-only: printers poll over HTTP, API clients are sent to HTTPS', async () => {
    const { servers: s } = await start({ httpMode: 'cloudprnt-only' });
    const poll = await fetch(`${s.url}/cloudprnt/store1`, { method: 'POST', redirect: 'manual' });
    expect(poll.status).toBe(200);
    expect(await poll.json()).toEqual({ jobReady: false, group: 'store1' });
    expect((await fetch(`${s.url}/api/v1/me`, { redirect: 'manual' })).status).toBe(308);
    expect((await fetch(`${s.url}/cloudprntx`, { redirect: 'manual' })).status).toBe(308);
  });
});
