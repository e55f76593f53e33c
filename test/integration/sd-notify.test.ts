import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, startServe, writeConfig } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait-for.js';
import { startNotifyReceiver, type NotifyReceiver } from '../peers/notify-receiver.js';

const dist = (file: string): string => pathToFileURL(path.join(REPO_ROOT, 'dist/src', file)).href;

/**
 * A process that does what serve does under systemd: READY=1, the watchdog from its event loop,
 * then blocks its loop for 1.5 s (a hang), recovers, and stops (STOPPING=1) and exits by itself.
 */
const SCRIPT = `
import { SdNotify } from '${dist('systemd/sd-notify.js')}';
import { createLogger } from '${dist('log/create-logger.js')}';
const notify = new SdNotify({ env: process.env, log: createLogger({ level: 'warn' }) });
notify.ready('up');
notify.startWatchdog();
setTimeout(() => {
  notify.status('blocking');
  const until = Date.now() + 1500;
  while (Date.now() < until) {}
  notify.status('unblocked');
  setTimeout(() => { notify.stopping(); notify.close(); }, 700);
}, 800);
`;

function runNotifier(env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string }> {
  if (!existsSync(path.join(REPO_ROOT, 'dist/src/systemd/sd-notify.js'))) throw new Error('dist/ is missing: run "npm run build"');
  const child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the notifier did not exit by itself within 15 s (a socket left open keeps the loop alive?):\n${output}`));
    }, 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('sd_notify against a real unix datagram receiver on NOTIFY_SOCKET', () => {
  let receiver: NotifyReceiver;
  beforeAll(async () => {
    receiver = await startNotifyReceiver();
  });
  afterAll(async () => {
    await receiver?.stop();
  });

  it('sends READY, the watchdog at half of WATCHDOG_USEC from the event loop, no ping while the loop is blocked, then STOPPING', async () => {
    const run = await runNotifier({ NOTIFY_SOCKET: receiver.socket, WATCHDOG_USEC: '200000' });
    expect(run.code, run.output).toBe(0);
    expect(run.output).toBe('');
    const messages = await waitFor('STOPPING=1 at the receiver', () => {
      const all = receiver.messages();
      return all.includes('STOPPING=1') ? all : null;
    });
    expect(messages[0]).toBe('READY=1\nSTATUS=up');
    expect(messages.at(-1)).toBe('STOPPING=1');
    const blocking = messages.indexOf('STATUS=blocking');
    const unblocked = messages.indexOf('STATUS=unblocked');
    expect(blocking).toBeGreaterThan(0);
    expect(unblocked).toBe(blocking + 1);
    // 800 ms at a 100 ms interval before the hang; a busy machine may delay a few timers.
    const before = messages.slice(1, blocking).filter((m) => m === 'WATCHDOG=1').length;
    expect(before).toBeGreaterThanOrEqual(3);
    expect(before).toBeLessThanOrEqual(9);
    // The pings come back once the loop runs again.
    expect(messages.slice(unblocked + 1).filter((m) => m === 'WATCHDOG=1').length).toBeGreaterThanOrEqual(2);
    expect(new Set(messages.filter((m) => !m.startsWith('STATUS=') && !m.startsWith('READY=')))).toEqual(new Set(['WATCHDOG=1', 'STOPPING=1']));
  });

  it('is a quiet no-op without NOTIFY_SOCKET', async () => {
    const run = await runNotifier({});
    expect(run).toEqual({ code: 0, output: '' });
  });

  it('does not fail the process when nobody listens on NOTIFY_SOCKET: one warning', async () => {
    const run = await runNotifier({ NOTIFY_SOCKET: `${receiver.socket}-gone`, WATCHDOG_USEC: '200000' });
    expect(run.code).toBe(0);
    const lines = run.output.trim().split('\n').map((line) => JSON.parse(line) as { level: string; msg: string; err: string });
    expect(lines.map((line) => [line.level, line.msg])).toEqual([['warn', 'sd_notify: send failed']]);
    expect(lines[0]?.err).toBe('send: ENOENT');
  });

  it('serve, as systemd starts it: READY=1 only after it listens, the watchdog, STOPPING=1 on SIGTERM, exit 0', async () => {
    const before = receiver.messages().length;
    const { file } = writeConfig({ server: { host: '127.0.0.1', port: 0, shutdownGraceSeconds: 1 } });
    const serve = await startServe(file, { NOTIFY_SOCKET: receiver.socket, WATCHDOG_USEC: '400000' });
    const ready = await waitFor('READY=1 from serve', () => receiver.messages().slice(before).find((m) => m.startsWith('READY=1')));
    expect(ready).toMatch(/^READY=1\nSTATUS=listening/);
    // It listened before it said so: the API answers.
    expect((await fetch(`${serve.url}/healthz`)).status).toBe(200);
    await waitFor('a watchdog ping', () => receiver.messages().slice(before).includes('WATCHDOG=1'));
    expect(await serve.stop('SIGTERM')).toBe(0);
    const mine = receiver.messages().slice(before);
    expect(mine.at(-1)).toBe('STOPPING=1');
    expect(mine.indexOf('STOPPING=1')).toBeGreaterThan(mine.findIndex((m) => m.startsWith('READY=1')));
  });
});
