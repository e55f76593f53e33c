import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { findProfile, LANGUAGES, RENDER_WORKER_FILE } from '../../drivers/index.js';
import type { Language, RenderInput } from '../../src/driver-api/index.js';
import { isCatalogueError } from '../../src/driver-api/index.js';
import { RenderPool } from '../../src/jobs/render-pool.js';
import { inlineRenderer } from '../../src/jobs/renderer.js';
import { createLogger } from '../../src/log/create-logger.js';
import { LogCapture } from '../helpers/log-capture.js';
import { makePdf } from '../unit/render/document-fixtures.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

/**
 * The render pool: real worker threads running the shipped languages (the built
 * dist/drivers/render-worker.js), with the time and memory budgets of limits.render.
 */

const language = (name: string): Language => LANGUAGES.find((candidate) => candidate.name === name)!;
const epson = findProfile('epson-tm-m30')!;
const star = findProfile('star-tsp143-starprnt')!;
const OPTIONS = { copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' } as const;
const input = (body: string | Buffer, contentType: string, profile = epson): RenderInput => ({ body: Buffer.from(body), contentType, profile, options: { ...OPTIONS } });

/** An HTML receipt whose tree alone needs hundreds of megabytes of heap. */
const DOM_BOMB = `<html><body>${'<div><p>x</p>'.repeat(300_000)}</body></html>`;

function checkerboard(width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y += 1)
    for (let x = 0; x < width; x += 1) {
      const i = (y * width + x) * 4;
      const v = (x >> 3) % 2 === (y >> 3) % 2 ? 0 : 255;
      png.data[i] = png.data[i + 1] = png.data[i + 2] = v;
      png.data[i + 3] = 255;
    }
  return PNG.sync.write(png);
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (!isCatalogueError(error)) throw error;
    return { code: error.code, message: error.message, details: error.details };
  }
  throw new Error('expected the render to fail');
}

const pools: RenderPool[] = [];
function pool(options: { timeoutMs?: number; memoryMB?: number; threads?: number; idleMs?: number } = {}): { pool: RenderPool; logs: LogCapture } {
  const logs = new LogCapture();
  const created = new RenderPool({
    workerFile: RENDER_WORKER_FILE, timeoutMs: options.timeoutMs ?? 30_000, memoryMB: options.memoryMB ?? 512, threads: options.threads ?? 2, log: createLogger({ level: 'debug', destination: logs }),
    ...(options.idleMs !== undefined ? { idleMs: options.idleMs } : {}),
  });
  pools.push(created);
  return { pool: created, logs };
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((created) => created.close()));
});

describe('the render pool', () => {
  it('renders and draws exactly what the languages do on the gateway thread', async () => {
    const { pool: renderPool } = pool();
    const cases: Array<[string, RenderInput]> = [
      ['escpos', input('Grüße €5\nПривет\n', 'text/plain')],
      ['escpos', input('<html><body><h1>Total</h1><p>12.50</p></body></html>', 'text/html')],
      ['starprnt', input(checkerboard(96, 40), 'image/png', star)],
      ['zpl', input('^XA^FO20,20^A0N,40,40^FDHello^FS^XZ', 'application/vnd.zebra.zpl')],
    ];
    for (const [name, document] of cases) {
      const expected = await inlineRenderer.render(language(name), input(Buffer.from(document.body), document.contentType, document.profile));
      const got = await renderPool.render(language(name), document);
      expect(Buffer.from(got.bytes), `${name} ${document.contentType}`).toEqual(Buffer.from(expected.bytes));
      expect(got.documentFormat).toBe(expected.documentFormat);
    }
    const preview = await renderPool.preview(language('escpos'), input('Preview\n', 'text/plain'));
    expect(Buffer.from(preview.png).subarray(1, 4).toString()).toBe('PNG');
    expect(PNG.sync.read(Buffer.from(preview.png)).width).toBe(preview.width);
  });

  it('starts its threads with the first document, ends them after idleMs without one, and starts them again for the next', async () => {
    const { pool: renderPool, logs } = pool({ idleMs: 300 });
    expect(renderPool.running).toBe(0);
    const first = await renderPool.render(language('escpos'), input('first\n', 'text/plain'));
    expect(renderPool.running).toBe(2);
    await waitFor('the idle threads to end', () => renderPool.running === 0, 5000);
    expect(logs.find('no document for a while: the render threads end')).toHaveLength(1);
    const again = await renderPool.render(language('escpos'), input('first\n', 'text/plain'));
    expect(Buffer.from(again.bytes)).toEqual(Buffer.from(first.bytes));
    expect(renderPool.running).toBe(2);
    // Busy, they stay: documents closer together than idleMs keep the same threads.
    for (let i = 0; i < 4; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 150));
      await renderPool.render(language('escpos'), input(`again ${i}\n`, 'text/plain'));
    }
    expect(logs.find('no document for a while: the render threads end')).toHaveLength(1);
  });

  it('keeps the catalogue error a language raised in its thread (code, message, details)', async () => {
    const { pool: renderPool } = pool();
    const tooMany = { ...input(checkerboard(400, 400), 'image/png'), budget: { maxPixels: 1000, maxPages: 5, maxOutputBytes: 1 << 20, maxPageHeightDots: 4000 } };
    const got = await failure(renderPool.render(language('escpos'), tooMany));
    expect(got.code).toBe('DOCUMENT_TOO_COMPLEX');
    expect(got.details).toMatchObject({ budget: 'maxPixels' });
    const broken = await failure(renderPool.render(language('escpos'), input(Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), 'image/png')));
    expect(broken.code).toBe('DOCUMENT_FORMAT_ERROR');
    expect(broken.message).toMatch(/image\/png/);
  });

  it('ends a document over the memory budget with DOCUMENT_TOO_COMPLEX, and the next one renders on a fresh thread', async () => {
    const { pool: renderPool, logs } = pool({ memoryMB: 64, threads: 1 });
    const got = await failure(renderPool.render(language('escpos'), input(DOM_BOMB, 'text/html')));
    expect(got.code).toBe('DOCUMENT_TOO_COMPLEX');
    expect(got.details).toEqual({ budget: 'memoryMB', limit: 64 });
    expect(got.message).toMatch(/limits\.render/);
    expect(logs.find('a document went over its render budget')[0]).toMatchObject({ budget: 'memory', contentType: 'text/html' });
    const after = await renderPool.render(language('escpos'), input('after\n', 'text/plain'));
    expect(Buffer.from(after.bytes).includes(Buffer.from('after'))).toBe(true);
  });

  it('ends a document over the time budget, and queued documents wait for a thread rather than fail', async () => {
    const { pool: renderPool } = pool({ timeoutMs: 300, memoryMB: 2048, threads: 1 });
    const slow = failure(renderPool.render(language('escpos'), input(DOM_BOMB, 'text/html')));
    const queued = renderPool.render(language('escpos'), input('queued\n', 'text/plain'));
    const got = await slow;
    expect(got.code).toBe('DOCUMENT_TOO_COMPLEX');
    expect(got.details).toEqual({ budget: 'timeoutSeconds', limit: 0.3 });
    expect(Buffer.from((await queued).bytes).includes(Buffer.from('queued'))).toBe(true);
  });

  it('renders on several threads at once and passes raw documents through without a thread', async () => {
    const { pool: renderPool } = pool({ threads: 2 });
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => renderPool.render(language('escpos'), input(`receipt ${i}\n`, 'text/plain'))));
    results.forEach((result, i) => expect(Buffer.from(result.bytes).includes(Buffer.from(`receipt ${i}`))).toBe(true));
    const raw = Buffer.from([0x1b, 0x40, 0x41, 0x0a]);
    const passed = await renderPool.render(language('raw'), input(raw, 'application/octet-stream'));
    expect(Buffer.from(passed.bytes)).toEqual(raw);
  });

  it('says so when its threads cannot start (a broken install), and keeps the job for later rather than blaming the document', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'printgate-render-'));
    const broken = path.join(dir, 'render-worker.js');
    writeFileSync(broken, "throw new Error('a module of the render thread is missing');\n");
    const logs = new LogCapture();
    const renderPool = new RenderPool({ workerFile: broken, timeoutMs: 5000, memoryMB: 128, threads: 1, log: createLogger({ level: 'debug', destination: logs }) });
    pools.push(renderPool);
    const got = await failure(renderPool.render(language('escpos'), input('hello\n', 'text/plain')));
    expect(got.code).toBe('INTERNAL');
    expect(got.message).toMatch(/render threads cannot start .*module of the render thread is missing/);
    expect(logs.find('the render threads cannot start; documents wait')).toHaveLength(1);
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives a thread its next documents at once: it renders them while the event loop is busy, and they come back in order', async () => {
    const { pool: renderPool } = pool({ threads: 1 });
    await renderPool.render(language('escpos'), input('warm\n', 'text/plain'));
    const done = [false, false, false, false];
    const all = done.map((_, i) => renderPool.render(language('escpos'), input(`receipt ${i}\n`, 'text/plain')).then((result) => ((done[i] = true), result)));
    // The event loop is busy (print requests, say): no answer is taken and no document sent meanwhile.
    const until = Date.now() + 500;
    while (Date.now() < until);
    // The thread had all four: their answers wait together, taken in the turn that takes the first.
    const seen = await new Promise<boolean[]>((resolve) => void all[0]!.then(() => setImmediate(() => resolve([...done]))));
    expect(seen).toEqual([true, true, true, true]);
    (await Promise.all(all)).forEach((result, i) => expect(Buffer.from(result.bytes).includes(Buffer.from(`receipt ${i}`))).toBe(true));
  });

  it('a thread given a slow document and a quick one answers both, in order (the quick one does not overtake and get lost)', async () => {
    const { pool: renderPool } = pool({ threads: 1 });
    await renderPool.render(language('escpos'), input('warm\n', 'text/plain'));
    // A PDF renders through pdftoppm (the thread awaits it); the receipt behind it would be done first.
    const order: string[] = [];
    const pdf = renderPool.render(language('escpos'), input(makePdf(1, 200, 200, [20, 20, 100, 100]), 'application/pdf')).then((result) => (order.push('pdf'), result));
    const receipt = renderPool.render(language('escpos'), input('behind\n', 'text/plain')).then((result) => (order.push('receipt'), result));
    const [drawn, text] = await Promise.all([pdf, receipt]);
    expect(order).toEqual(['pdf', 'receipt']);
    expect(drawn.bytes.byteLength).toBeGreaterThan(0);
    expect(Buffer.from(text.bytes).includes(Buffer.from('behind'))).toBe(true);
  });

  it('a render under way when the pool closes is told the gateway stops, not that its document is over a budget', async () => {
    const { pool: renderPool, logs } = pool({ threads: 1 });
    const busy = failure(renderPool.render(language('escpos'), input(DOM_BOMB, 'text/html')));
    const behind = failure(renderPool.render(language('escpos'), input('behind\n', 'text/plain')));
    await waitFor('the render thread', () => renderPool.running === 1);
    // Its thread is up (~60 ms) and deep in the document (seconds of DOM) by then.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await renderPool.close();
    const got = await busy;
    expect(got.code).toBe('SHUTTING_DOWN');
    expect((await behind).code).toBe('SHUTTING_DOWN');
    expect(logs.find('a document went over its render budget')).toHaveLength(0);
  });

  it('refuses work once closed, naming why', async () => {
    const { pool: renderPool } = pool({ threads: 1 });
    await renderPool.close();
    const got = await failure(renderPool.render(language('escpos'), input('late\n', 'text/plain')));
    expect(got.code).toBe('SHUTTING_DOWN');
    expect(got.message).toMatch(/stopping/);
  });
});

describe('the gateway with its render pool', () => {
  let gateway: TestGateway | undefined;
  let sink: TcpSink | undefined;
  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
    await sink?.close();
    sink = undefined;
  });

  it('aborts a document over the budget with DOCUMENT_TOO_COMPLEX, keeps answering, and prints the next job', async () => {
    sink = await startTcpSink();
    gateway = await startTestGateway({
      printers: [{ name: 'Front', group: 'store1', appId: 'front01', uri: sink.uri, language: 'escpos' }],
      limits: { render: { memoryMB: 64 } },
    });
    const { key } = gateway.createKey(['PrintToDevice', 'ViewJobs', 'ViewStatus']);
    const headers = { authorization: `Bearer ${key}` };
    const bomb = await fetch(`${gateway.url}/v1/a/store1/d/front01/q`, { method: 'POST', headers: { ...headers, 'content-type': 'text/html' }, body: DOM_BOMB });
    expect(bomb.status).toBe(201);
    const { JobId: id } = (await bomb.json()) as { JobId: string };
    // While the thread chews on it the event loop is free: health answers.
    expect((await fetch(`${gateway.url}/healthz`, { headers })).status).toBeLessThan(600);
    const ended = await waitFor('the bomb job to end', async () => {
      const job = (await (await fetch(`${gateway!.url}/api/v1/jobs/${id}`, { headers })).json()) as { state: string; errorCode?: string; errorMessage?: string };
      return ['failed', 'aborted', 'canceled', 'completed'].includes(job.state) ? job : null;
    });
    expect(ended.errorCode, gateway.logs.text().slice(-3000)).toBe('DOCUMENT_TOO_COMPLEX');
    expect(ended.errorMessage).toMatch(/memory budget/);
    const next = await fetch(`${gateway.url}/v1/a/store1/d/front01/q`, { method: 'POST', headers: { ...headers, 'content-type': 'text/plain' }, body: 'next receipt\n' });
    expect(next.status).toBe(201);
    const [bytes] = await sink.waitForJobs(1);
    expect(bytes!.includes(Buffer.from('next receipt'))).toBe(true);
  });
});
