import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fingerprints } from '../../src/tls/tls-certificate.js';
import { startServe, writeConfig, type ServeProcess } from '../helpers/cli-process.js';

/** `serve` with server.tls as a shop would turn it on: a certificate made on first start, HTTPS pinned by curl, HTTP limited. */

let serve: ServeProcess | undefined;
afterEach(async () => {
  await serve?.stop();
  serve = undefined;
});

function curl(args: string[]): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '--max-time', '10', ...args]);
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.once('error', () => reject(new Error('curl is missing: apt-get install curl')));
    child.once('close', (status) => resolve({ status, stdout }));
  });
}

describe('serve with server.tls', () => {
  it('makes a certificate on first start, serves HTTPS to a pinning client, and limits HTTP to CloudPRNT', async () => {
    const { file, dataDir } = writeConfig({
      server: { host: '127.0.0.1', port: 0, tls: { enabled: true, port: 0, httpMode: 'cloudprnt-only' } },
      discovery: { interfaces: [], serial: false, usb: false },
    });
    serve = await startServe(file);
    const made = serve.lines().find((line) => line.msg === 'TLS certificate made');
    const listening = serve.lines().find((line) => line.msg === 'HTTPS listening');
    expect(made).toMatchObject({ reason: 'first start' });
    const cert = readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8');
    const { spkiSha256 } = fingerprints(cert);
    expect(made!.spkiSha256).toBe(spkiSha256);
    const httpsUrl = String(listening!.httpsUrl);
    const health = await curl(['-k', '--pinnedpubkey', `sha256//${spkiSha256}`, `${httpsUrl}/healthz`]);
    expect(health.status).toBe(0);
    expect(JSON.parse(health.stdout)).toMatchObject({ status: expect.any(String) });
    const plain = await fetch(`${serve.url}/api/v1/me`, { redirect: 'manual' });
    expect(plain.status).toBe(308);
    expect(plain.headers.get('location')).toBe(`${httpsUrl}/api/v1/me`);
    expect((await fetch(`${serve.url}/cloudprnt/nosuch`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' })).status).toBe(404);
  });
});
