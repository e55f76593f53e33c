import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT, startServe, writeConfig, type ServeProcess } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { cloudHealth, mintStatusKey, whoAmI } from '../peers/reference-cloud.js';

/**
 * `npm run dev:cloud` as a user runs it: the `cloud:` section it prints is pasted into a config, `serve`
 * syncs from it, and the keys minted and revoked at its prompt work and stop working.
 */

let devCloud: ChildProcess | undefined;
let serve: ServeProcess | undefined;
let dir: string | undefined;
let configDir: string | undefined;

afterEach(async () => {
  await serve?.stop();
  if (devCloud && devCloud.exitCode === null) {
    const exited = new Promise((resolve) => devCloud!.once('exit', resolve));
    devCloud.kill('SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  }
  for (const created of [dir, configDir]) if (created) rmSync(created, { recursive: true, force: true });
  devCloud = serve = dir = configDir = undefined;
});

describe('npm run dev:cloud', () => {
  it('prints a cloud section that a gateway syncs from; its key and revoke commands take effect', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'printgate-dev-cloud-'));
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts/dev-cloud.mjs'), '--port', '0', '--dir', path.join(dir, 'state')], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    devCloud = child;
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const section = await waitFor('the cloud section', () => {
      if (child.exitCode !== null) throw new Error(`dev:cloud exited ${child.exitCode}: ${output}`);
      return /\ncloud:\n(?: {2}.*\n)+/.exec(output)?.[0];
    });
    const cloud = (parse(section) as { cloud: Record<string, unknown> }).cloud;
    expect(cloud).toMatchObject({ gatewayId: 'gw-0001', pollSeconds: 30, stream: true });
    expect(statSync(String(cloud.tokenFile)).mode & 0o777).toBe(0o600);

    const prompt = async (line: string, reply: RegExp): Promise<RegExpExecArray> => {
      const mark = output.length;
      child.stdin!.write(`${line}\n`);
      return waitFor(`the answer to "${line}"`, () => reply.exec(output.slice(mark)));
    };
    const minted = await prompt('key ViewJobs jobs:write', /seq (\d+): keyId (\S+)\n\s+key \(shown once\): (\S+)/);
    const [, , keyId, key] = minted;

    const config = writeConfig({ server: { host: '127.0.0.1', port: 0 }, discovery: { interfaces: [], serial: false, usb: false }, cloud });
    configDir = config.dir;
    const statusKey = mintStatusKey(config.dataDir);
    serve = await startServe(config.file);
    await waitFor('the first sync', async () => (await cloudHealth(serve!.url, statusKey)).cloud?.appliedSeq === Number(minted[1]));
    expect(await whoAmI(serve.url, key!)).toMatchObject({ status: 200, source: 'cloud' });
    await waitFor('the push stream', async () => (await cloudHealth(serve!.url, statusKey)).cloud?.streamConnected === true);

    await prompt(`revoke ${keyId}`, /seq \d+: revoked/);
    await waitFor('the revocation enforced', async () => (await whoAmI(serve!.url, key!)).code === 'TOKEN_REVOKED');
    const status = await prompt('status', /seq (\d+), streams open (\d+), fault none/);
    expect(Number(status[2])).toBeGreaterThanOrEqual(1);
    expect(serve.output()).not.toContain(key);
  });
});
