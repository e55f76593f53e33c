import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runCli, startServe, writeConfig, type ServeProcess } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

const running: ServeProcess[] = [];
const sinks: TcpSink[] = [];

afterEach(async () => {
  for (const serve of running.splice(0)) await serve.stop('SIGKILL').catch(() => undefined);
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
});

async function serve(file: string, env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const started = await startServe(file, env);
  running.push(started);
  return started;
}

function createKey(file: string, permissions = 'PrintToDevice,ViewJobs'): { id: string; key: string } {
  const result = runCli(['keys', 'create', '--config', file, '--name', 'pos1', '--permissions', permissions, '--json']);
  expect(result.status, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { id: string; key: string };
}

async function freePort(): Promise<number> {
  const probe = await startTcpSink();
  await probe.close();
  return probe.port;
}

function printConfig(uri: string, extra: Record<string, unknown> = {}) {
  return writeConfig({
    server: { host: '127.0.0.1', port: 0, shutdownGraceSeconds: 1 },
    jobs: { retryInitialMs: 50, retryMaxMs: 300, confirmTimeoutMs: 60_000 },
    printers: [{ name: 'Kitchen', group: 'store1', appId: 'kitchen01', uri, language: 'raw' }],
    ...extra,
  });
}

async function post(url: string, key: string, body: string): Promise<{ JobId: string }> {
  const answer = await fetch(`${url}/v1/a/store1/d/kitchen01/q`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' },
    body,
  });
  expect(answer.status).toBe(201);
  return (await answer.json()) as { JobId: string };
}

async function jobOf(url: string, key: string, id: string): Promise<{ state: string; stateReason: string | null; reprints: number }> {
  return (await (await fetch(`${url}/api/v1/jobs/${id}`, { headers: { authorization: `Bearer ${key}` } })).json()) as {
    state: string;
    stateReason: string | null;
    reprints: number;
  };
}

describe('the printgate command', () => {
  it('npm start: serve on embedded defaults listens on 8631 with data in ./var and says so on one line', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'pg-defaults-'));
    const child = spawn(process.execPath, [CLI, 'serve'], { cwd, env: { ...process.env, PRINTGATE_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    try {
      const line = await waitFor('the listening line', () => out.split('\n').find((l) => l.includes('"msg":"listening"')), 20_000);
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry.url).toBe('http://0.0.0.0:8631');
      expect(entry.config).toBe('embedded defaults');
      expect(existsSync(path.join(cwd, 'var', 'printgate.db'))).toBe(true);
      const health = await fetch('http://127.0.0.1:8631/healthz');
      expect(health.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code).toBe(0);
    }
  });

  it('stops with exit code 78 naming an unknown or invalid key', () => {
    const unknown = writeConfig({ server: { prot: 1 } });
    const first = runCli(['serve', '--config', unknown.file]);
    expect(first.status).toBe(78);
    expect(first.stderr).toContain('server.prot: unknown key');
    const invalid = writeConfig({ printers: [{ name: 'A', group: 'g', uri: 'socket://x', language: 'pcl' }] });
    const second = runCli(['config', 'check', '--config', invalid.file]);
    expect(second.status).toBe(78);
    expect(second.stderr).toContain('printers.0.language');
    const badEnv = runCli(['config', 'check', '--config', unknown.file.replace('printgate.yaml', 'none.yaml')]);
    expect(badEnv.status).toBe(78);
    const envOverride = runCli(['config', 'check', '--json'], { PRINTGATE_SERVER_PORT: 'many' });
    expect(envOverride.status).toBe(78);
    expect(envOverride.stderr).toContain('PRINTGATE_SERVER_PORT');
  });

  it('keys create prints the key once; the database holds only its SHA-256', () => {
    const { file, dataDir } = writeConfig({});
    const { id, key } = createKey(file);
    expect(key).toMatch(/^pgk_live_[0-9a-f]{64}$/);
    const listed = runCli(['keys', 'list', '--config', file]);
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain(`pgk_live_…${key.slice(-4)}`);
    expect(listed.stdout).not.toContain(key);
    const db = new Database(path.join(dataDir, 'printgate.db'), { readonly: true });
    const row = db.prepare('SELECT sha256 FROM api_keys WHERE id = ?').get(id) as { sha256: string };
    db.close();
    expect(row.sha256).toMatch(/^[0-9a-f]{64}$/);
    for (const file of ['printgate.db', 'printgate.db-wal']) {
      const bytes = existsSync(path.join(dataDir, file)) ? readFileSync(path.join(dataDir, file)) : Buffer.alloc(0);
      expect(bytes.includes(Buffer.from(key))).toBe(false);
    }
  });

  it('an accepted job survives a kill -9 of the gateway and prints exactly once after restart', async () => {
    const port = await freePort();
    const { file } = printConfig(`socket://127.0.0.1:${port}`);
    const { key } = createKey(file);
    const first = await serve(file);
    const { JobId } = await post(first.url, key, 'survives the crash');
    await first.stop('SIGKILL');
    const sink = await startTcpSink({ port });
    sinks.push(sink);
    const second = await serve(file);
    const [bytes] = await sink.waitForJobs(1, 15_000);
    expect(bytes!.toString()).toBe('survives the crash');
    await waitFor('completed', async () => (await jobOf(second.url, key, JobId)).state === 'completed');
    expect(sink.jobs()).toHaveLength(1);
  });

  it('a job on the wire at a crash is reprinted after restart and says so (inFlightAfterRestart: reprint)', async () => {
    const stall = await startTcpSink({ behaviour: 'never-close' });
    const port = stall.port;
    sinks.push(stall);
    const { file } = printConfig(`socket://127.0.0.1:${port}`);
    const { key } = createKey(file);
    const first = await serve(file);
    const { JobId } = await post(first.url, key, 'on the wire');
    await stall.waitForJobs(1);
    expect((await jobOf(first.url, key, JobId)).state).toBe('processing');
    await first.stop('SIGKILL');
    stall.setBehaviour('accept');
    const second = await serve(file);
    const job = await waitFor('reprinted', async () => {
      const current = await jobOf(second.url, key, JobId);
      return current.state === 'completed' ? current : null;
    });
    expect(job.stateReason).toBe('reprinted-after-restart');
    // The count stays with the job whatever its last reason says (an unconfirmed completion replaces it).
    expect(job.reprints).toBe(1);
    expect(second.lines().some((line) => line.msg === 'job was on the wire when the gateway stopped')).toBe(true);
    expect(stall.jobs().map(String)).toEqual(['on the wire', 'on the wire']);
  });

  it('with inFlightAfterRestart: hold, the job waits in held instead', async () => {
    const stall = await startTcpSink({ behaviour: 'never-close' });
    sinks.push(stall);
    const { file } = printConfig(stall.uri, { jobs: { inFlightAfterRestart: 'hold', confirmTimeoutMs: 60_000 } });
    const { key } = createKey(file);
    const first = await serve(file);
    const { JobId } = await post(first.url, key, 'hold me');
    await stall.waitForJobs(1);
    await first.stop('SIGKILL');
    stall.setBehaviour('accept');
    const second = await serve(file);
    expect(await jobOf(second.url, key, JobId)).toMatchObject({ state: 'held', stateReason: 'held-after-restart' });
    // A person checked the printer: `jobs release` from another process sends it back to print.
    const released = runCli(['jobs', 'release', JobId, '--config', file]);
    expect(released.status, released.stderr).toBe(0);
    await waitFor('the released job to print (the running gateway notices the CLI change)', async () => (await jobOf(second.url, key, JobId)).state === 'completed', 15_000);
    expect(stall.jobs().map(String)).toEqual(['hold me', 'hold me']);
    const again = runCli(['jobs', 'release', JobId, '--config', file]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('not held');
  });

  it('SIGTERM re-queues the job on the wire cleanly and exits 0; it prints after restart', async () => {
    const stall = await startTcpSink({ behaviour: 'never-close' });
    sinks.push(stall);
    const { file } = printConfig(stall.uri);
    const { key } = createKey(file);
    const first = await serve(file);
    const { JobId } = await post(first.url, key, 'requeue me');
    await stall.waitForJobs(1);
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.lines().some((line) => line.msg === 'job re-queued on shutdown')).toBe(true);
    stall.setBehaviour('accept');
    const second = await serve(file);
    await waitFor('completed', async () => (await jobOf(second.url, key, JobId)).state === 'completed');
    expect(stall.jobs().map(String)).toEqual(['requeue me', 'requeue me']);
  });

  it('with inFlightAfterRestart: hold, SIGTERM holds a job whose bytes reached the printer instead of sending it again', async () => {
    const stall = await startTcpSink({ behaviour: 'never-close' });
    sinks.push(stall);
    const { file } = printConfig(stall.uri, { jobs: { inFlightAfterRestart: 'hold', confirmTimeoutMs: 60_000 } });
    const { key } = createKey(file);
    const first = await serve(file);
    const { JobId } = await post(first.url, key, 'print me once');
    await stall.waitForJobs(1);
    expect(await first.stop('SIGTERM')).toBe(0);
    expect(first.lines().some((line) => line.msg === 'job held on shutdown: it may have printed')).toBe(true);
    stall.setBehaviour('accept');
    const second = await serve(file);
    expect(await jobOf(second.url, key, JobId)).toMatchObject({ state: 'held', stateReason: 'held-after-shutdown' });
    expect(stall.jobs().map(String)).toEqual(['print me once']);
  });

  it('jobs list and jobs cancel work on the running gateway\'s data', async () => {
    const port = await freePort();
    const { file } = printConfig(`socket://127.0.0.1:${port}`);
    const { key } = createKey(file);
    const gateway = await serve(file);
    const { JobId } = await post(gateway.url, key, 'cancel me');
    const listed = runCli(['jobs', 'list', '--config', file, '--json']);
    expect((JSON.parse(listed.stdout) as { id: string; state: string }[]).map((j) => j.id)).toContain(JobId);
    const canceled = runCli(['jobs', 'cancel', JobId, '--config', file]);
    expect(canceled.status, canceled.stderr).toBe(0);
    expect((await jobOf(gateway.url, key, JobId)).state).toBe('canceled');
    const again = runCli(['jobs', 'cancel', JobId, '--config', file]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain('already canceled');
  });
});

describe('the systemd unit', () => {
  it('passes systemd-analyze verify and runs serve with RestartPreventExitStatus=78', () => {
    const unit = path.resolve(import.meta.dirname, '../../systemd/printgate.service');
    const text = readFileSync(unit, 'utf8');
    expect(text).toMatch(/^ExecStart=.* serve --config \/etc\/printgate\/printgate\.yaml$/m);
    // 78 among the codes that need a person (65 77 78): systemd-unit.test.ts checks the whole list.
    expect(text).toMatch(/^RestartPreventExitStatus=(?:\d+ )*78(?: \d+)*$/m);
    const dir = mkdtempSync(path.join(tmpdir(), 'pg-unit-'));
    writeFileSync(path.join(dir, 'printgate.service'), text);
    const result = spawnSyncChecked('systemd-analyze', ['verify', path.join(dir, 'printgate.service')]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

import { spawnSync } from 'node:child_process';
function spawnSyncChecked(program: string, args: string[]): { status: number | null; stderr: string } {
  const result = spawnSync(program, args, { encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw new Error(`${program} is missing (Debian package systemd): ${result.error.message}`);
  return { status: result.status, stderr: result.stderr };
}
