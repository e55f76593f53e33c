import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startServe, writeConfig, type ServeProcess } from '../helpers/cli-process.js';
import { decodeEscPos, eventsOf, printedLines } from '../helpers/receipt-decoder.js';
import { runCliAsync } from '../helpers/run-cli-async.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

/** print, test-page and printers list against a running serve, as a technician uses them. */

let receipt: TcpSink;
let label: TcpSink;
let deadPort: number;
let serve: ServeProcess;
let file: string;
let dir: string;

beforeAll(async () => {
  receipt = await startTcpSink();
  label = await startTcpSink();
  const dead = await startTcpSink();
  deadPort = dead.port;
  await dead.close();
  ({ file, dir } = writeConfig({
    server: { host: '127.0.0.1', port: 0 },
    jobs: { retryInitialMs: 50, retryMaxMs: 500, connectTimeoutMs: 2000, confirmTimeoutMs: 500 },
    printers: [
      { name: 'Kitchen', group: 'g', uri: receipt.uri, language: 'escpos' },
      { name: 'Labels', group: 'g', uri: label.uri, language: 'zpl' },
      { name: 'Gone', group: 'g', uri: `socket://127.0.0.1:${deadPort}`, language: 'raw' },
    ],
  }));
  serve = await startServe(file);
});

afterAll(async () => {
  await serve?.stop();
  await receipt?.close();
  await label?.close();
});


describe('printgate print', () => {
  it('queues a file through the jobs use case (source cli); the running gateway prints it', async () => {
    const document = path.join(dir, 'order.txt');
    writeFileSync(document, 'Order 17\n1 x Pretzel\n');
    const result = runCli(['print', 'kitchen', document, '--config', file, '--json']);
    expect(result.status, result.stderr).toBe(0);
    const job = JSON.parse(result.stdout) as { id: string; source: string; contentType: string; name: string; gatewayRunning: boolean };
    expect(job).toMatchObject({ source: 'cli', contentType: 'text/plain', name: 'order.txt', gatewayRunning: true });
    await receipt.waitForText('Order 17', 15_000);
    const listed = await waitFor('the job to complete', () => {
      const jobs = JSON.parse(runCli(['jobs', 'list', '--printer', 'kitchen', '--config', file, '--json']).stdout) as { id: string; state: string }[];
      return jobs.find((candidate) => candidate.id === job.id && candidate.state === 'completed');
    }, 15_000, 200);
    expect(listed).toBeTruthy();
  });

  it('reads standard input with -, by printer name too', async () => {
    const result = await runCliAsync(['print', 'Kitchen', '-', '--config', file], 'from a pipe\n');
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Queued job [0-9a-f-]{36} for kitchen/);
    expect(result.stdout).toContain('prints it within a second');
    await receipt.waitForText('from a pipe', 15_000);
  });

  it('says what is wrong as JSON on stderr with --json, and nothing on stdout', () => {
    const unknown = runCli(['print', 'nosuch', '-', '--config', file, '--json']);
    expect(unknown.status).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(JSON.parse(unknown.stderr)).toEqual({ error: { code: 'USAGE', message: 'no printer "nosuch": the printers are gone, kitchen, labels' } });
    const html = path.join(dir, 'page.html');
    writeFileSync(html, '<p>hi</p>');
    const refused = runCli(['print', 'labels', html, '--config', file, '--json']);
    expect(refused.status).toBe(1);
    expect(refused.stdout).toBe('');
    expect(JSON.parse(refused.stderr).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const guess = runCli(['print', 'kitchen', path.join(dir, 'notes.xyz'), '--config', file, '--json']);
    expect(guess.status).toBe(2);
    expect(JSON.parse(guess.stderr).error.message).toContain('give --type');
  });
});

describe('printgate test-page', () => {
  it('prints a receipt with the profile, a ruler as wide as the columns, the code pages and a QR code', async () => {
    const before = receipt.received().length;
    const result = runCli(['test-page', 'kitchen', '--config', file]);
    expect(result.status, result.stderr).toBe(0);
    await receipt.waitForText('Width ruler', 15_000);
    const events = decodeEscPos(receipt.received().subarray(before));
    const lines = printedLines(events).map((line) => line.trim());
    expect(lines).toContain('test page');
    expect(lines.some((line) => /^Profile: +generic-80mm/.test(line))).toBe(true);
    expect(lines).toContain('Width ruler, 48 columns:');
    expect(lines).toContain('123456789012345678901234567890123456789012345678');
    expect(lines).toContain('....+....1....+....2....+....3....+....4....+...');
    // Ç ü é in CP437 are the bytes 80 81 82 (the decoder shows bytes above 7F as \xNN).
    expect(lines.find((line) => line.startsWith('cp437:')), lines.join('\n')).toMatch(/^cp437: \\x80 \\x81 \\x82 /);
    expect(eventsOf(events, 'qrcode')[0]?.data).toMatch(/^printgate kitchen \d{4}-/);
    expect(eventsOf(events, 'cut')).toHaveLength(1);
  });

  it('prints a label on a label printer', async () => {
    const result = runCli(['test-page', 'labels', '--config', file, '--json']);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'test page', contentType: 'text/vnd.star.markup', source: 'cli' });
    const zpl = await label.waitForText('^XZ', 15_000);
    expect(zpl).toContain('^XA');
    expect(zpl).toContain('test label');
    expect(zpl).toMatch(/\^BQ/);
  });
});

describe('printgate printers list', () => {
  it('shows each printer\'s state and reasons as the running gateway recorded them, then as last known', async () => {
    expect((await runCliAsync(['print', 'gone', '-', '--config', file], 'for a printer that is gone\n')).status).toBe(0);
    const gone = await waitFor('the offline printer in printers list', () => {
      const list = JSON.parse(runCli(['printers', 'list', '--config', file, '--json']).stdout) as { id: string; state: string; reasons: string[]; live: boolean; lastError: string | null }[];
      return list.find((printer) => printer.id === 'gone' && printer.state === 'stopped');
    }, 15_000, 250);
    expect(gone).toMatchObject({ reasons: ['offline'], live: true, lastError: expect.stringContaining('connection refused') });
    const text = runCli(['printers', 'list', '--config', file]);
    expect(text.stdout).toMatch(new RegExp(`^States from the running gateway \\(PID ${serve.child.pid}\\)`));
    expect(text.stdout).toMatch(/\ngone +Gone +g +config +stopped +offline +1 /);

    await serve.stop();
    const after = runCli(['printers', 'list', '--config', file]);
    expect(after.stdout).toMatch(/^No gateway runs on .*: states are the last one recorded at/);
    const list = JSON.parse(runCli(['printers', 'list', '--config', file, '--json']).stdout) as { id: string; live: boolean }[];
    expect(list.every((printer) => printer.live === false)).toBe(true);
  });
});
