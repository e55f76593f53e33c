import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { describe, expect, it } from 'vitest';
import { fingerprints } from '../../src/tls/tls-certificate.js';
import { runCli, startServe, writeConfig } from '../helpers/cli-process.js';
import { runCliAsync } from '../helpers/run-cli-async.js';
import { waitFor } from '../helpers/wait-for.js';
import { startPtyPair } from '../peers/socat-pty.js';
import { startTcpSink } from '../peers/tcp-sink.js';

describe('printers probe and doctor', () => {
  it('printers probe reports a listening raw printer as reachable and a dead port with the reason', async () => {
    const sink = await startTcpSink();
    try {
      const up = runCli(['printers', 'probe', sink.uri, '--json']);
      expect(up.status, up.stderr).toBe(0);
      expect(JSON.parse(up.stdout)).toMatchObject({ uri: sink.uri, reachable: true, error: null });
    } finally {
      await sink.close();
    }
    const down = runCli(['printers', 'probe', sink.uri]);
    expect(down.status).toBe(1);
    expect(down.stdout).toContain('NOT reachable (PRINTER_UNREACHABLE)');
    expect(down.stdout).toContain('connection refused');
    const unknown = runCli(['printers', 'probe', 'gopher://x']);
    expect(unknown.status).toBe(1);
    expect(unknown.stdout).toContain('UNSUPPORTED_URI');
  });

  it('doctor passes on a healthy box and names the failing printer with a fix', async () => {
    const sink = await startTcpSink();
    const dead = await startTcpSink();
    await dead.close();
    try {
      const { file } = writeConfig({
        server: { host: '127.0.0.1', port: 0 },
        printers: [
          { name: 'Up', group: 'g', uri: sink.uri, language: 'raw' },
          { name: 'Down', group: 'g', uri: dead.uri, language: 'raw' },
        ],
      });
      const result = runCli(['doctor', '--config', file, '--json']);
      expect(result.status).toBe(1);
      const report = JSON.parse(result.stdout) as { ok: boolean; checks: { check: string; ok: boolean; fix?: string }[] };
      expect(report.ok).toBe(false);
      expect(report.checks.find((c) => c.check === 'printer Up')?.ok).toBe(true);
      const down = report.checks.find((c) => c.check === 'printer Down');
      expect(down?.ok).toBe(false);
      expect(down?.fix).toBeTruthy();
      expect(report.checks.find((c) => c.check === 'data directory')?.ok).toBe(true);

      const healthy = writeConfig({ server: { host: '127.0.0.1', port: 0 }, printers: [{ name: 'Up', group: 'g', uri: sink.uri, language: 'raw' }] });
      const ok = runCli(['doctor', '--config', healthy.file]);
      expect(ok.status, ok.stdout).toBe(0);
      expect(ok.stdout).toContain('All checks passed.');
    } finally {
      await sink.close();
    }
  });
});


interface Report {
  ok: boolean;
  checks: { check: string; ok: boolean; warning?: true; detail: string; fix?: string }[];
}

const parse = (stdout: string): Report => JSON.parse(stdout) as Report;
const find = (report: Report, check: string) => {
  const found = report.checks.find((c) => c.check === check);
  if (!found) throw new Error(`no check "${check}" in ${report.checks.map((c) => c.check).join(', ')}`);
  return found;
};
/** A config with nothing that fails on this machine: loopback, a port of its own, mDNS on lo. */
const quiet = { server: { host: '127.0.0.1', port: 0 }, discovery: { interfaces: ['lo'] } };

function listing(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

describe('doctor changes nothing', () => {
  it('leaves a data directory that does not exist alone, and says the database is not started yet', () => {
    const { file, dataDir } = writeConfig(quiet);
    const result = runCli(['doctor', '--config', file, '--json']);
    expect(result.status, result.stdout).toBe(0);
    const report = parse(result.stdout);
    expect(find(report, 'data directory').detail).toContain('does not exist yet');
    expect(find(report, 'database')).toMatchObject({ ok: true, detail: expect.stringContaining('not started yet') });
    expect(existsSync(dataDir)).toBe(false);
  });

  it('reads a stopped gateway\'s database without making a -wal or -shm, and changes no file', () => {
    const { file, dataDir } = writeConfig(quiet);
    expect(runCli(['keys', 'create', '--config', file, '--name', 'x', '--permissions', 'ViewJobs']).status).toBe(0);
    const before = listing(dataDir).map((name) => [name, statSync(path.join(dataDir, name)).mtimeMs]);
    const result = runCli(['doctor', '--config', file, '--json']);
    expect(result.status, result.stdout).toBe(0);
    expect(find(parse(result.stdout), 'database').detail).toMatch(/^schema \d+, 0 unfinished jobs$/);
    expect(listing(dataDir).map((name) => [name, statSync(path.join(dataDir, name)).mtimeMs])).toEqual(before);
  });
});

describe('doctor checks access as the service user (--user)', () => {
  it('names the group to add for a device the user cannot open, and chowns nothing', () => {
    const { file, dir } = writeConfig({});
    const device = path.join(dir, 'ttyFAKE');
    writeFileSync(device, '');
    chmodSync(device, 0o660);
    chownSync(device, 0, 20); // root:dialout, as udev makes /dev/ttyUSB0
    const { file: config } = writeConfig({ ...quiet, printers: [{ name: 'Serial', group: 'g', uri: `serial:${device}` }] });
    void file;
    const result = runCli(['doctor', '--config', config, '--user', 'nobody', '--json']);
    expect(result.status).toBe(1);
    const report = parse(result.stdout);
    expect(find(report, 'checked as').detail).toContain('user nobody');
    expect(find(report, 'printer Serial')).toMatchObject({ ok: false, detail: expect.stringContaining('(group dialout)'), fix: 'usermod -aG dialout nobody, then systemctl restart printgate' });
    expect(statSync(device).uid).toBe(0);
  });

  it('finds files in the data directory the service user cannot write (the "readonly database" case)', () => {
    const { file, dataDir } = writeConfig(quiet);
    expect(runCli(['keys', 'create', '--config', file, '--name', 'x', '--permissions', 'ViewJobs']).status).toBe(0);
    chownSync(dataDir, 65534, 65534); // the directory is the user's, but printgate.db stayed root's
    const result = runCli(['doctor', '--config', file, '--user', 'nobody', '--json']);
    expect(result.status).toBe(1);
    const check = find(parse(result.stdout), 'data directory');
    expect(check.detail).toMatch(/cannot write printgate\.db \(root:root 0644\)/);
    expect(check.fix).toBe(`chown -R nobody: ${dataDir}`);
    expect(statSync(path.join(dataDir, 'printgate.db')).uid).toBe(0);
  });
});

describe('doctor gives a fix per kind of printer failure', () => {
  it('a dead port is "nothing listens", a TCP sink answers, a CloudPRNT printer is not probed', async () => {
    const sink = await startTcpSink();
    const dead = await startTcpSink();
    await dead.close();
    try {
      const { file } = writeConfig({
        ...quiet,
        printers: [
          { name: 'Up', group: 'g', uri: sink.uri, language: 'raw' },
          { name: 'Dead', group: 'g', uri: dead.uri, language: 'raw' },
          { name: 'Polls', group: 'g', uri: 'cloudprnt:00:11:62:aa:bb:cc', language: 'starprnt' },
        ],
      });
      const report = parse((await runCliAsync(['doctor', '--config', file, '--json'])).stdout);
      expect(find(report, 'printer Up')).toMatchObject({ ok: true, detail: expect.stringContaining('answers') });
      expect(find(report, 'printer Dead')).toMatchObject({ ok: false, fix: expect.stringContaining('nothing listens there') });
      expect(find(report, 'printer Polls')).toMatchObject({ ok: true, warning: true, fix: expect.stringContaining('/cloudprnt/g') });
      expect(report.checks.filter((c) => !c.ok).map((c) => c.check)).toEqual(['printer Dead']);
    } finally {
      await sink.close();
    }
  });

  it('asks a serial printer (a pty) for its status: a reply passes, silence warns, garbage is a wrong baud rate', async () => {
    const pty = await startPtyPair();
    const peer = new SerialPort({ path: pty.b, baudRate: 9600 });
    await new Promise<void>((resolve, reject) => peer.once('open', resolve).once('error', reject));
    let answer: Buffer | null = null;
    peer.on('data', (chunk: Buffer) => {
      // DLE EOT n asks one byte each; answer all four at once.
      if (answer && chunk.includes(0x10)) peer.write(answer);
    });
    try {
      const { file } = writeConfig({ ...quiet, printers: [{ name: 'Serial', group: 'g', uri: `serial:${pty.a}?baud=9600`, language: 'escpos' }] });
      const run = async () => parse((await runCliAsync(['doctor', '--config', file, '--json'])).stdout);

      const silent = find(await run(), 'printer Serial');
      expect(silent).toMatchObject({ ok: true, warning: true, detail: expect.stringContaining('does not answer a status query') });
      expect(silent.fix).toContain('baud');

      answer = Buffer.from([0x12, 0x12, 0x12, 0x12]);
      expect(find(await run(), 'printer Serial')).toMatchObject({ ok: true, detail: expect.stringContaining('answers a status query at 9600 baud: ready') });

      answer = Buffer.from([0xff, 0xe0, 0xff, 0x00]);
      const garbled = find(await run(), 'printer Serial');
      expect(garbled).toMatchObject({ ok: false, detail: expect.stringContaining('not a escpos-dle-eot reply') });
      expect(garbled.fix).toContain(`serial:${pty.a}?baud=`);
    } finally {
      await new Promise<void>((resolve) => peer.close(() => resolve()));
      await pty.dispose();
    }
  });
});

describe('doctor checks the box around the printers', () => {
  it('mDNS off is a warning with the line to add; an interface that does not exist fails', () => {
    const off = writeConfig({ server: { host: '127.0.0.1', port: 0 } });
    const warned = runCli(['doctor', '--config', off.file]);
    expect(warned.status, warned.stdout).toBe(0);
    expect(warned.stdout).toMatch(/warn {2}mDNS: .*\n {6}fix: mDNS is off: set discovery\.interfaces: \[\w+\]/);
    expect(warned.stdout).toContain('All checks passed. 1 warning');
    const missing = writeConfig({ server: { host: '127.0.0.1', port: 0 }, discovery: { interfaces: ['pgt-nosuch0'] } });
    const failed = parse(runCli(['doctor', '--config', missing.file, '--json']).stdout);
    expect(find(failed, 'mDNS interface pgt-nosuch0')).toMatchObject({ ok: false, detail: expect.stringContaining('which this box does not have') });
  });

  it('cloud: an unreachable URL, a key that is not Ed25519, a cloud clock an hour off', async () => {
    const dead = await startTcpSink();
    await dead.close();
    const token = path.join(writeConfig({}).dir, 'token');
    writeFileSync(token, 'secret-token\n', { mode: 0o600 });
    const key = Buffer.alloc(32, 7).toString('base64');
    const cloud = { gatewayId: 'gw1', tokenFile: token, maxClockSkewSeconds: 120 };
    const unreachable = writeConfig({ ...quiet, cloud: { ...cloud, url: `http://127.0.0.1:${dead.port}/`, publicKeys: [key, 'bm90IGEga2V5'] } });
    const first = parse((await runCliAsync(['doctor', '--config', unreachable.file, '--json'])).stdout);
    expect(find(first, 'cloud.url')).toMatchObject({ ok: false, detail: expect.stringContaining('connection refused') });
    expect(find(first, 'cloud.publicKeys[0]').ok).toBe(true);
    expect(find(first, 'cloud.publicKeys[1]')).toMatchObject({ ok: false, detail: expect.stringContaining('not a 32-byte Ed25519 public key') });
    expect(find(first, 'cloud token').ok).toBe(true);

    const skewed = http.createServer((_req, res) => {
      res.setHeader('Date', new Date(Date.now() + 3600_000).toUTCString());
      res.end('{}');
    });
    await new Promise<void>((resolve) => skewed.listen(0, '127.0.0.1', resolve));
    try {
      const port = (skewed.address() as AddressInfo).port;
      const late = writeConfig({ ...quiet, cloud: { ...cloud, url: `http://127.0.0.1:${port}/`, publicKeys: [key] } });
      const report = parse((await runCliAsync(['doctor', '--config', late.file, '--json'])).stdout);
      expect(find(report, 'cloud.url').ok).toBe(true);
      expect(find(report, 'clock skew')).toMatchObject({ ok: false, detail: expect.stringMatching(/(3599|3600) s ahead of this box's/), fix: expect.stringContaining('timedatectl') });
    } finally {
      skewed.close();
    }
  });

  it('with the gateway running: names its PID, reads its port and printer states instead of probing, shows the TLS fingerprint', async () => {
    const sink = await startTcpSink();
    const { file, dataDir } = writeConfig({
      server: { host: '127.0.0.1', port: 0, tls: { enabled: true, port: 0 } },
      discovery: { interfaces: ['lo'] },
      printers: [{ name: 'Up', group: 'g', uri: sink.uri, language: 'raw' }],
    });
    const serve = await startServe(file);
    try {
      // The gateway's own first probe of its printer, then doctor's run: doctor must not add one.
      await waitFor('the gateway to reach its printer', () => sink.connections() >= 1);
      const before = sink.connections();
      const report = parse((await runCliAsync(['doctor', '--config', file, '--json'])).stdout);
      expect(find(report, 'service').detail).toBe(`running as PID ${serve.child.pid} (it holds the data directory lock)`);
      expect(find(report, 'printer Up')).toMatchObject({ ok: true, detail: expect.stringMatching(/^the running gateway says idle/) });
      const { sha256, spkiSha256 } = fingerprints(readFileSync(path.join(dataDir, 'tls', 'cert.pem'), 'utf8'));
      expect(find(report, 'TLS').detail).toContain(`SHA-256 ${sha256}, pin sha256//${spkiSha256}`);
      expect(sink.connections()).toBe(before); // doctor did not connect to a printer the gateway owns
    } finally {
      await serve.stop();
      await sink.close();
    }
  });
});
