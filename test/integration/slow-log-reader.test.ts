import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli-process.js';
import { waitFor } from '../helpers/wait-for.js';

const LOGGER = path.join(REPO_ROOT, 'dist/src/log/create-logger.js');
const FLOOD_LINES = 30_000;

/**
 * A process that logs as serve does (createLogger's default: stdout) and answers over IPC: "flood"
 * logs FLOOD_LINES lines of ~300 bytes (9 MB, past the pipe's buffer and the 4 MiB queue), then
 * says "flooded"; "ping" is answered "pong" — only a process whose event loop runs can.
 */
const SCRIPT = `
import { createLogger } from '${pathToFileURL(LOGGER).href}';
const log = createLogger({ level: 'info' });
const pad = 'x'.repeat(240);
process.on('message', (message) => {
  if (message === 'flood') {
    for (let i = 0; i < ${FLOOD_LINES}; i += 1) log.info({ i, pad }, 'flood');
    process.send('flooded');
  } else if (message === 'ping') process.send('pong');
  else if (message === 'last') log.info({}, 'last line');
});
process.send('ready');
`;

let child: ChildProcess | null = null;
afterEach(() => {
  child?.kill('SIGKILL');
  child = null;
});

function start(): { child: ChildProcess; messages: string[] } {
  if (!existsSync(LOGGER)) throw new Error('dist/ is missing: run "npm run build"');
  const messages: string[] = [];
  child = spawn(process.execPath, ['--input-type=module', '-e', SCRIPT], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  child.on('message', (message) => messages.push(String(message)));
  return { child, messages };
}

describe('log lines to a reader that falls behind (journald under load, a stalled pipe)', () => {
  it('never stop the event loop; what the queue holds arrives in order, the rest is counted in a warning', async () => {
    const { child, messages } = start();
    child.stdout!.pause();
    await waitFor('the child\'s "ready"', () => messages.includes('ready'), 10_000);
    child.send('flood');
    // pino's synchronous destination slept 100 ms per attempt on the full pipe, for as long as
    // nobody read it: neither answer came.
    await waitFor('the child\'s "flooded"', () => messages.includes('flooded'), 20_000);
    child.send('ping');
    await waitFor('the child\'s "pong"', () => messages.includes('pong'), 10_000);

    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    child.stdout!.resume();
    await waitFor('"did not keep up" on stdout', () => text.includes('did not keep up'), 20_000);
    child.send('last');
    await waitFor('"last line" on stdout', () => text.includes('last line'), 10_000);

    const lines = text
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { msg: string; i?: number; droppedLines?: number; level: string });
    const flood = lines.filter((line) => line.msg === 'flood').map((line) => line.i);
    // The first lines, whole and in order: the pipe's buffer and the queue, nothing torn or reordered.
    expect(flood.length).toBeGreaterThan(1000);
    expect(flood).toEqual(Array.from({ length: flood.length }, (_, i) => i));
    const warning = lines.find((line) => line.droppedLines !== undefined);
    expect(warning?.level).toBe('warn');
    expect(warning!.droppedLines! + flood.length).toBe(FLOOD_LINES);
    expect(lines.at(-1)?.msg).toBe('last line');
  });

  it('a reader that went away (EPIPE) costs the lines, not the process', async () => {
    const { child, messages } = start();
    await waitFor('the child\'s "ready"', () => messages.includes('ready'), 10_000);
    child.stdout!.destroy();
    child.send('flood');
    await waitFor('the child\'s "flooded"', () => messages.includes('flooded'), 20_000);
    child.send('ping');
    await waitFor('the child\'s "pong"', () => messages.includes('pong'), 10_000);
    expect(child.exitCode).toBe(null);
  });
});
