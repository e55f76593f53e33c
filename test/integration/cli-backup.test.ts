import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, startServe, writeConfig, type ServeProcess } from '../helpers/cli-process.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

const running: ServeProcess[] = [];
const sinks: TcpSink[] = [];
afterEach(async () => {
  for (const serve of running.splice(0)) await serve.stop('SIGKILL').catch(() => undefined);
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
});

describe('printgate backup FILE', () => {
  it('copies the database while serve runs and takes jobs: one self-contained file that passes integrity_check and holds the keys and jobs', async () => {
    const printer = await startTcpSink();
    sinks.push(printer);
    const { file, dir } = writeConfig({
      server: { host: '127.0.0.1', port: 0, shutdownGraceSeconds: 1 },
      printers: [{ name: 'Kitchen', group: 'store1', appId: 'kitchen01', uri: printer.uri, language: 'raw' }],
    });
    const serve = await startServe(file);
    running.push(serve);
    const { key, id } = JSON.parse(runCli(['keys', 'create', '--config', file, '--name', 'pos', '--permissions', 'PrintToDevice', '--json']).stdout) as { key: string; id: string };
    const post = (n: number) =>
      fetch(`${serve.url}/v1/a/store1/d/kitchen01/q`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' }, body: `job ${n}\n` });
    for (let n = 0; n < 5; n += 1) expect((await post(n)).status).toBe(201);
    // Jobs keep arriving while the backup runs.
    let writing = true;
    const writer = (async () => {
      let n = 5;
      while (writing && n < 200) await post((n += 1));
    })();
    const target = path.join(dir, 'backup.db');
    const backup = runCli(['backup', target, '--config', file, '--json']);
    writing = false;
    await writer;
    expect(backup.status, backup.stderr).toBe(0);
    expect(JSON.parse(backup.stdout)).toMatchObject({ file: target, integrity: 'ok' });
    expect(readdirSync(dir).filter((name) => name.startsWith('backup.db'))).toEqual(['backup.db']);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const copy = new Database(target, { readonly: true });
    expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(copy.prepare('SELECT id FROM api_keys').all()).toEqual([{ id }]);
    expect((copy.prepare('SELECT count(*) AS n FROM jobs').get() as { n: number }).n).toBeGreaterThanOrEqual(5);
    copy.close();
    // The copy is a data directory's database: a gateway starts on it.
    const restored = writeConfig({});
    mkdirSync(restored.dataDir, { recursive: true });
    copyFileSync(target, path.join(restored.dataDir, 'printgate.db'));
    const keys = runCli(['keys', 'list', '--config', restored.file, '--json']);
    expect(keys.status, keys.stderr).toBe(0);
    expect((JSON.parse(keys.stdout) as { id: string }[]).map((entry) => entry.id)).toEqual([id]);
    expect(serve.child.exitCode).toBeNull();
  });

  it('never overwrites a file, and says so (exit 2)', () => {
    const { file, dir } = writeConfig({});
    expect(runCli(['keys', 'list', '--config', file]).status).toBe(0);
    const target = path.join(dir, 'b.db');
    expect(runCli(['backup', target, '--config', file]).status).toBe(0);
    const again = runCli(['backup', target, '--config', file]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain(`${target} exists; give a new file name`);
    expect(existsSync(`${target}.partial`)).toBe(false);
  });
});
