import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { printerApi, type JobView } from '../helpers/printer-api.js';
import { waitFor } from '../helpers/wait-for.js';
import { startPtyPair, type PtyPair } from '../peers/socat-pty.js';
import { HEALTHY, startStatusPrinter, StatusResponder, type PrinterCondition, type StatusDialect, type StatusPrinter } from '../peers/status-printer.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

let gateway: TestGateway | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function printer(dialect: StatusDialect): Promise<StatusPrinter> {
  const started = await startStatusPrinter(dialect);
  cleanups.push(() => started.close());
  return started;
}

const JOBS = { retryInitialMs: 50, retryMaxMs: 300, connectTimeoutMs: 2000, confirmTimeoutMs: 2000, statusTimeoutMs: 1000 };

async function start(uri: string, language: string, extra: Record<string, unknown> = {}, jobs: Record<string, unknown> = {}) {
  gateway = await startTestGateway({
    printers: [{ name: 'Counter', group: 'store1', appId: 'counter01', uri, language, ...extra }],
    jobs: { ...JOBS, ...jobs },
  });
  const { key } = gateway.createKey(['PrintToDevice', 'ViewJobs', 'ViewDevice', 'EnumDevices', 'FlushQueue']);
  return printerApi({ url: gateway.url, key, group: 'store1', appId: 'counter01', printerId: 'counter' });
}

const completed = (job: JobView): boolean => job.state === 'completed';

describe('printer status: ESC/POS DLE EOT over raw TCP', () => {
  it('confirms jobs, holds them while paper is out, prints each once when paper is back, and mirrors it in Star flags', async () => {
    const escpos = await printer('escpos');
    const api = await start(escpos.uri, 'escpos', {}, { statusPollMs: 200 });

    // Healthy: the printer's answer confirms the job.
    const first = await api.print('first ticket\n');
    expect(await api.waitJob(first, 'completed', completed)).toMatchObject({ stateReason: null, attempts: 1 });
    expect(escpos.jobs()).toHaveLength(1);
    expect(escpos.jobs()[0]!.includes(Buffer.from('first ticket'))).toBe(true);

    // Paper out, and the gateway has seen it (the idle printer is asked every statusPollMs): the
    // next job is not sent; it waits and says why. (A status answer younger than a few seconds is
    // trusted instead of asking before every job: a job sent into a printer that ran out since
    // waits inside it, as the cover-open case below shows.)
    escpos.set({ paperOut: true });
    await api.waitPrinter('stopped: media-empty', (view) => view.state === 'stopped' && view.reasons.includes('media-empty'));
    const second = await api.print('second ticket\n');
    await api.waitJob(second, 'pending: media-empty', (job) => job.state === 'pending' && job.stateReason === 'media-empty');
    expect(await api.printer()).toMatchObject({ state: 'stopped', reasons: ['media-empty'] });
    expect(await api.star()).toMatchObject({ Online: false, PaperEmpty: true, CoverOpen: false });
    expect(escpos.jobs()).toHaveLength(1);
    // The box says what and where: /healthz is degraded, naming the printer, why and what waits.
    const technician = gateway!.createKey(['ViewStatus']).key;
    const health = (await (await fetch(`${gateway!.url}/healthz`, { headers: { authorization: `Bearer ${technician}` } })).json()) as { status: string; problems: string[] };
    expect(health.status).toBe('degraded');
    expect(health.problems).toContainEqual(expect.stringMatching(/^printer counter: media-empty.*; 1 job waits$/));

    // Paper back: it resumes by itself and prints the ticket once.
    escpos.set({ paperOut: false });
    expect(await api.waitJob(second, 'completed', completed)).toMatchObject({ stateReason: null });
    const [, printed] = await escpos.waitForJobs(2);
    expect(printed!.includes(Buffer.from('second ticket'))).toBe(true);
    await api.waitPrinter('idle with no reasons', (view) => view.state === 'idle' && view.reasons.length === 0);
    expect(await api.star()).toMatchObject({ Online: true, PaperEmpty: false });
    expect(await (await fetch(`${gateway!.url}/healthz`, { headers: { authorization: `Bearer ${technician}` } })).json()).toMatchObject({ status: 'ok', problems: [] });

    // The cover opens while the job prints: the printer keeps it; it completes once closed, never sent twice.
    escpos.afterNextJob({ coverOpen: true });
    const third = await api.print('third ticket\n');
    await escpos.waitForJobs(3);
    await api.waitPrinter('stopped: cover-open', (view) => view.state === 'stopped' && view.reasons.includes('cover-open'));
    expect((await api.job(third)).state).toBe('processing');
    expect(await api.star()).toMatchObject({ Online: false, CoverOpen: true });
    escpos.set({ coverOpen: false });
    expect(await api.waitJob(third, 'completed', completed)).toMatchObject({ stateReason: null });

    // Paper low is a warning: the job completes, the printer stays online and says so.
    escpos.set({ paperLow: true });
    const fourth = await api.print('fourth ticket\n');
    await api.waitJob(fourth, 'completed', completed);
    expect(await api.printer()).toMatchObject({ state: 'idle', reasons: ['media-low'] });
    expect(await api.star()).toMatchObject({ Online: true, PaperLow: true, PaperEmpty: false });

    // An idle printer is polled: a cover opened and closed with no job in sight shows and clears.
    escpos.set({ paperLow: false, coverOpen: true });
    await api.waitPrinter('stopped: cover-open while idle', (view) => view.state === 'stopped' && view.reasons.join() === 'cover-open');
    escpos.set({ coverOpen: false });
    await api.waitPrinter('idle again', (view) => view.state === 'idle' && view.reasons.length === 0);

    // A cutter error after the job may have spoilt the ticket: the job is held for a person.
    escpos.afterNextJob({ cutterError: true });
    const fifth = await api.print('fifth ticket\n');
    expect(await api.waitJob(fifth, 'held', (job) => job.state === 'held')).toMatchObject({ stateReason: 'cutter-error' });
    expect(await api.star()).toMatchObject({ CutterError: true, Recoverable: false, Online: false });
    escpos.set({ cutterError: false });
    await api.waitPrinter('idle after the cutter is fixed', (view) => view.state === 'idle' && view.reasons.length === 0);
    expect((await api.job(fifth)).state).toBe('held');

    // Only a held job can be released; released, the spoilt ticket prints again, once.
    const notHeld = await api.release(first);
    expect(notHeld.status).toBe(409);
    expect(((await notHeld.json()) as { error: { code: string } }).error.code).toBe('CONFLICT');
    const released = await api.release(fifth);
    expect(released.status).toBe(200);
    expect(await api.waitJob(fifth, 'completed after release', completed)).toMatchObject({ stateReason: null });

    const texts = escpos.jobs().map((job) => job.toString('latin1'));
    for (const name of ['first', 'second', 'third', 'fourth']) {
      expect(texts.filter((text) => text.includes(`${name} ticket`)), name).toHaveLength(1);
    }
    expect(texts.filter((text) => text.includes('fifth ticket')), 'fifth: once, and once more after the release').toHaveLength(2);
  });

  it('a job waiting inside a stopped printer can be canceled; the queue goes on once the printer is fixed', async () => {
    const escpos = await printer('escpos');
    const api = await start(escpos.uri, 'escpos');
    escpos.afterNextJob({ coverOpen: true });
    const stuck = await api.print('stuck ticket\n');
    await api.waitPrinter('stopped: cover-open', (view) => view.state === 'stopped' && view.reasons.includes('cover-open'));
    expect((await api.job(stuck)).state).toBe('processing');
    expect(await api.cancel(stuck)).toBe(200);
    await api.waitJob(stuck, 'canceled', (job) => job.state === 'canceled');
    const next = await api.print('next ticket\n');
    await api.waitJob(next, 'pending: cover-open', (job) => job.state === 'pending' && job.stateReason === 'cover-open');
    escpos.set({ coverOpen: false });
    expect(await api.waitJob(next, 'completed', completed)).toMatchObject({ stateReason: null });
    expect((await api.job(stuck)).state).toBe('canceled');
    expect(escpos.jobs().map((job) => job.toString('latin1').includes('stuck ticket'))).toEqual([true, false]);
  });

  it('with statusQuery: off the printer is never asked and the close of the connection confirms', async () => {
    const escpos = await printer('escpos');
    const api = await start(escpos.uri, 'escpos', { statusQuery: 'off' });
    const id = await api.print('no questions\n');
    expect(await api.waitJob(id, 'completed', completed)).toMatchObject({ stateReason: null });
    expect(escpos.queries()).toBe(0);
  });
});

describe('printer status: a plain TCP sink that never answers', () => {
  it('completes its jobs unconfirmed and never receives a status request as a job', async () => {
    const sink: TcpSink = await startTcpSink();
    cleanups.push(() => sink.close());
    const api = await start(sink.uri, 'escpos');
    const ids = [await api.print('one\n'), await api.print('two\n'), await api.print('three\n')];
    for (const id of ids) {
      expect(await api.waitJob(id, 'completed', completed)).toMatchObject({ stateReason: 'completed-unconfirmed' });
    }
    // Jobs queued together may share a connection: each arrives once, and no status request among them.
    await sink.waitForJobs(1);
    const received = await waitFor('the three jobs', () => {
      const text = Buffer.concat(sink.jobs()).toString('latin1');
      return text.includes('three\n') ? text : null;
    });
    for (const text of ['one\n', 'two\n', 'three\n']) expect(received.split(text), text).toHaveLength(2);
    expect(received.includes('\x10\x04')).toBe(false);
    expect(await api.printer()).toMatchObject({ state: 'idle', reasons: [] });
  });
});

describe('printer status: Star ASB and ZPL ~HS', () => {
  it('a StarPRNT printer out of paper shows PaperEmpty and prints the waiting job once paper is back', async () => {
    const star = await printer('star');
    const api = await start(star.uri, 'starprnt', {}, { statusPollMs: 200 });
    await waitFor('the boot status query', () => star.queries() >= 1);
    star.set({ paperOut: true });
    await api.waitPrinter('stopped: media-empty', (view) => view.state === 'stopped' && view.reasons.includes('media-empty'));
    const id = await api.print('star ticket\n');
    await api.waitJob(id, 'pending: media-empty', (job) => job.state === 'pending' && job.stateReason === 'media-empty');
    expect(await api.star()).toMatchObject({ Online: false, PaperEmpty: true });
    expect(star.jobs()).toHaveLength(0);
    star.set({ paperOut: false });
    await api.waitJob(id, 'completed', completed);
    expect(await api.star()).toMatchObject({ Online: true, PaperEmpty: false });
    expect(star.jobs()).toHaveLength(1);
  });

  it('a Zebra with its head open holds labels until it is closed', async () => {
    const zebra = await printer('zpl');
    const api = await start(zebra.uri, 'zpl', {}, { statusPollMs: 200 });
    await waitFor('the boot status query', () => zebra.queries() >= 1);
    zebra.set({ coverOpen: true });
    await api.waitPrinter('stopped: cover-open', (view) => view.state === 'stopped' && view.reasons.includes('cover-open'));
    const id = await api.print('label\n');
    await api.waitJob(id, 'pending: cover-open', (job) => job.state === 'pending' && job.stateReason === 'cover-open');
    expect(await api.printer()).toMatchObject({ state: 'stopped', reasons: ['cover-open'] });
    expect(await api.star()).toMatchObject({ CoverOpen: true, Online: false });
    zebra.set({ coverOpen: false, paperOut: true });
    await api.waitPrinter('stopped: media-empty', (view) => view.reasons.join() === 'media-empty');
    expect(zebra.jobs()).toHaveLength(0);
    zebra.set({ paperOut: false });
    expect(await api.waitJob(id, 'completed', completed)).toMatchObject({ stateReason: null });
    expect(zebra.jobs()).toHaveLength(1);
    expect(zebra.jobs()[0]!.toString('latin1')).toContain('^XA');
  });
});

describe('printer status: ESC/POS over a serial line', () => {
  let pty: PtyPair | undefined;
  afterEach(async () => {
    await pty?.dispose();
    pty = undefined;
  });

  it('answers DLE EOT on the pty: paper out keeps the job, paper back prints it once', async () => {
    pty = await startPtyPair();
    const condition: PrinterCondition = { ...HEALTHY };
    const responder = new StatusResponder('escpos', () => condition);
    const printed: Buffer[] = [];
    const far = new SerialPort({ path: pty.b, baudRate: 19200, autoOpen: false });
    far.on('error', () => undefined);
    far.on('data', (chunk: Buffer) => {
      const { reply, printed: bytes } = responder.feed(chunk);
      if (bytes.length > 0) printed.push(bytes);
      if (reply.length > 0) far.write(reply);
    });
    await new Promise<void>((resolve, reject) => far.open((error) => (error ? reject(error) : resolve())));
    cleanups.push(() => new Promise<void>((resolve) => (far.isOpen ? far.close(() => resolve()) : resolve())));

    // hold=1, as the README advises for printers that answer status: a pty's open flushes (TCIOFLUSH)
    // what socat has not read yet, so reopening right after a job could eat the job's tail.
    const api = await start(`serial:${pty.a}?baud=19200&flow=none&hold=1`, 'escpos', {}, { statusPollMs: 200 });
    const first = await api.print('serial one\n');
    expect(await api.waitJob(first, 'completed', completed)).toMatchObject({ stateReason: null });
    expect(responder.queries).toBeGreaterThan(0);

    condition.paperOut = true;
    await api.waitPrinter('stopped: media-empty', (view) => view.state === 'stopped' && view.reasons.includes('media-empty'));
    const second = await api.print('serial two\n');
    await api.waitJob(second, 'pending: media-empty', (job) => job.state === 'pending' && job.stateReason === 'media-empty');
    expect(await api.printer()).toMatchObject({ state: 'stopped', reasons: ['media-empty'] });
    expect(Buffer.concat(printed).toString('latin1')).not.toContain('serial two');

    condition.paperOut = false;
    expect(await api.waitJob(second, 'completed', completed)).toMatchObject({ stateReason: null });
    const text = Buffer.concat(printed).toString('latin1');
    expect(text.split('serial one')).toHaveLength(2);
    expect(text.split('serial two')).toHaveLength(2);
  });
});
