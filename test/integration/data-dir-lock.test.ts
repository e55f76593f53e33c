import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, runCli, startServe, writeConfig, type ServeProcess } from '../helpers/cli-process.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

const running: ServeProcess[] = [];
const sinks: TcpSink[] = [];

afterEach(async () => {
  for (const serve of running.splice(0)) await serve.stop('SIGKILL').catch(() => undefined);
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
});

async function sink(): Promise<TcpSink> {
  const started = await startTcpSink();
  sinks.push(started);
  return started;
}

function config(uri: string) {
  return writeConfig({
    server: { host: '127.0.0.1', port: 0, shutdownGraceSeconds: 1 },
    jobs: { retryInitialMs: 50, retryMaxMs: 300 },
    printers: [{ name: 'Kitchen', group: 'store1', appId: 'kitchen01', uri, language: 'raw' }],
  });
}

async function print(url: string, key: string, body: string): Promise<void> {
  const answer = await fetch(`${url}/v1/a/store1/d/kitchen01/q`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' }, body });
  expect(answer.status).toBe(201);
}

describe('one serve per data directory', () => {
  it('a second serve on the same data directory exits at once naming the first one\'s PID; the first keeps printing', async () => {
    const printer = await sink();
    const { file, dataDir } = config(printer.uri);
    const first = await startServe(file);
    running.push(first);
    const { key } = JSON.parse(runCli(['keys', 'create', '--config', file, '--name', 'pos', '--permissions', 'PrintToDevice', '--json']).stdout) as { key: string };
    await print(first.url, key, 'before\n');
    await printer.waitForJobs(1);
    // An upload the first one is receiving: a second serve's start-up would delete it as a crash leftover.
    const partial = path.join(dataDir, 'spool', 'upload-in-progress.part');
    writeFileSync(partial, 'half a document');

    const second = runCli(['serve', '--config', file]);
    expect(second.status).toBe(75);
    expect(second.stdout).toBe('');
    expect(second.stderr).toBe(
      `printgate: the data directory ${dataDir} is in use by another printgate (PID ${first.child.pid}): stop it (systemctl stop printgate, or kill ${first.child.pid}), or give this one another dataDir\n`,
    );
    expect(existsSync(partial)).toBe(true);

    await print(first.url, key, 'after\n');
    const jobs = await printer.waitForJobs(2);
    expect(jobs.map((job) => job.toString())).toEqual(['before\n', 'after\n']);
    expect(first.lines().filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
    expect(first.child.exitCode).toBeNull();

    // With --json the same refusal is one JSON document.
    const json = runCli(['serve', '--config', file, '--json']);
    expect(json.status).toBe(75);
    expect(json.stdout).toBe('');
    expect(JSON.parse(json.stderr)).toEqual({ error: { code: 'DATA_DIR_LOCKED', message: expect.stringContaining(`(PID ${first.child.pid})`) } });

    // Once the first has stopped, the lock is free: a new serve starts on the same directory.
    expect(await first.stop()).toBe(0);
    const next = await startServe(file);
    running.push(next);
    expect(next.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('a serve killed with SIGKILL leaves no lock behind (the kernel drops it)', async () => {
    const { file } = config((await sink()).uri);
    const first = await startServe(file);
    await first.stop('SIGKILL');
    const next = await startServe(file);
    running.push(next);
    expect(next.child.exitCode).toBeNull();
  });
});

describe('start-up failures are one line with the cause and the fix', () => {
  it('a damaged database: exit 65, no stack trace', () => {
    const { file, dataDir } = config('socket://127.0.0.1:9');
    expect(runCli(['keys', 'list', '--config', file]).status).toBe(0);
    writeFileSync(path.join(dataDir, 'printgate.db'), Buffer.alloc(16_384, 0x5a));
    for (const name of readdirSync(dataDir)) if (name.endsWith('-wal') || name.endsWith('-shm')) writeFileSync(path.join(dataDir, name), '');
    const result = runCli(['serve', '--config', file]);
    expect(result.status).toBe(65);
    expect(result.stderr).toMatch(/^printgate: the database .*printgate\.db is damaged or not a printgate database \(SQLITE_NOTADB\): stop printgate, then restore a backup/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a data directory the user cannot write: exit 77, names the user and the chown', () => {
    const { file, dir, dataDir } = config('socket://127.0.0.1:9');
    expect(runCli(['keys', 'list', '--config', file]).status).toBe(0);
    chmodSync(dir, 0o755);
    chmodSync(file, 0o644);
    chmodSync(dataDir, 0o755);
    for (const command of [['serve'], ['keys', 'create', '--name', 'x', '--permissions', 'PrintToDevice']]) {
      const result = spawnSync(process.execPath, [CLI, ...command, '--config', file], { encoding: 'utf8', timeout: 30_000, uid: 65534, gid: 65534, env: { ...process.env, PRINTGATE_CONFIG: '' } });
      expect(result.status, result.stderr).toBe(77);
      expect(result.stderr).toMatch(new RegExp(`^printgate: cannot write ${dataDir}.* as user nobody \\((EACCES|SQLITE_\\w+)\\): run printgate as the owner of ${dataDir}.*chown -R printgate:printgate ${dataDir}\\n$`));
    }
  });
});
