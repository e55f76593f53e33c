import { afterEach, describe, expect, it } from 'vitest';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';

// jobs.deliveryThread: the printer workers run in a thread of their own with their own database
// connection; the main thread must still see every job's state, the queue counts and the printers'
// status, and every job must print once.
let gateway: TestGateway | undefined;
const sinks: TcpSink[] = [];

afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
  await Promise.all(sinks.splice(0).map((sink) => sink.close()));
});

async function sink(port?: number): Promise<TcpSink> {
  const started = await startTcpSink(port ? { port } : {});
  sinks.push(started);
  return started;
}

const threadConfig = (uri: string) => ({
  jobs: { retryInitialMs: 50, retryMaxMs: 200, connectTimeoutMs: 2000, confirmTimeoutMs: 2000, deliveryThread: true },
  discovery: { interfaces: [], probeSeconds: 1 },
  limits: { perKey: { ratePerSecond: 1000, burst: 1000 } },
  printers: [{ name: 'Till', group: 'shop', appId: 'till01', uri, language: 'raw' }],
});

async function submit(url: string, key: string, body: string): Promise<{ id: string }> {
  const answer = await fetch(`${url}/api/v1/printers/till/jobs`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/octet-stream' }, body });
  expect(answer.status).toBe(201);
  return (await answer.json()) as { id: string };
}

async function getJson<T>(url: string, key: string): Promise<T> {
  const answer = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  if (answer.status !== 200) throw new Error(`${url}: ${answer.status} ${await answer.text()}`);
  return (await answer.json()) as T;
}

const DONE = ['completed', 'completed-unconfirmed'];

/** Whether every job is done, by one listing (polling each job would meet the key's rate limit). */
async function allDone(url: string, key: string, jobs: readonly { id: string }[]): Promise<boolean> {
  const { data } = await getJson<{ data: { id: string; state: string }[] }>(`${url}/api/v1/jobs?limit=100`, key);
  const states = new Map(data.map((job) => [job.id, job.state]));
  return jobs.every(({ id }) => DONE.includes(states.get(id) ?? ''));
}

describe('the delivery thread (jobs.deliveryThread)', () => {
  it('prints every job once; the main thread sees their states, the queue count and the printer', async () => {
    const till = await sink();
    gateway = await startTestGateway(threadConfig(till.uri));
    const { key } = gateway.createKey(['PrintToDevice', 'ViewJobs', 'ViewDevice']);
    const jobs = await Promise.all(Array.from({ length: 40 }, (_, i) => submit(gateway!.url, key, `<job ${i}>\n`)));
    await waitFor('40 jobs at the sink', () => till.received().toString().match(/<job \d+>/g)?.length === 40);
    const text = till.received().toString();
    for (let i = 0; i < 40; i++) expect(text.split(`<job ${i}>`).length - 1).toBe(1);
    // The states the thread wrote, as the main thread serves them.
    await waitFor('40 jobs completed', () => allDone(gateway!.url, key, jobs), 10_000, 200);
    // The count of waiting jobs follows the thread's moves back to 0, and the printer's status is the thread's.
    const printer = await waitFor('the queue count back to 0', async () => {
      const view = await getJson<{ queuedJobs: number; state: string }>(`${gateway!.url}/api/v1/printers/till`, key);
      return view.queuedJobs === 0 ? view : null;
    }, 10_000, 200);
    expect(printer.state).not.toBe('stopped');
    // Delivery ran in the thread: the main thread's log saw the jobs accepted, never sent.
    expect(gateway.logs.find('job accepted')).toHaveLength(40);
    expect(gateway.logs.find('job completed')).toHaveLength(0);
  });

  it('a printer that goes away is shown offline by the main thread; its job prints once it is back', async () => {
    let till = await sink();
    const port = till.port;
    gateway = await startTestGateway(threadConfig(till.uri));
    const { key } = gateway.createKey(['PrintToDevice', 'ViewJobs', 'ViewDevice']);
    await submit(gateway.url, key, '<first>\n');
    await till.waitForText('<first>');
    await till.close();
    sinks.splice(0);
    const waiting = await submit(gateway.url, key, '<second>\n');
    await waitFor('the printer offline in the API', async () => {
      const view = await getJson<{ state: string; stateReasons?: string[]; reasons?: string[] }>(`${gateway!.url}/api/v1/printers/till`, key);
      return view.state === 'stopped';
    }, 10_000, 200);
    expect((await getJson<{ state: string }>(`${gateway.url}/api/v1/jobs/${waiting.id}`, key)).state).toBe('pending');
    till = await sink(port);
    await till.waitForText('<second>', 15_000);
    await waitFor('the printer back in the API', async () => (await getJson<{ state: string }>(`${gateway!.url}/api/v1/printers/till`, key)).state !== 'stopped', 10_000, 200);
  });

  it('jobs accepted just before a stop are all printed after the next start', async () => {
    const till = await sink();
    till.setBehaviour('never-close');
    gateway = await startTestGateway(threadConfig(till.uri));
    const config = gateway.config;
    const { key } = gateway.createKey(['PrintToDevice', 'ViewJobs']);
    const jobs = await Promise.all(Array.from({ length: 10 }, (_, i) => submit(gateway!.url, key, `<early ${i}>\n`)));
    // The gateway itself stops (the helper's stop would also remove the data directory).
    await gateway.gateway.stop();
    gateway = await startTestGateway({ ...threadConfig(till.uri), dataDir: config.dataDir });
    till.setBehaviour('accept');
    await waitFor('10 jobs completed', () => allDone(gateway!.url, key, jobs), 20_000, 200);
    const text = till.received().toString();
    // Every job arrived; one on the wire at the stop may arrive twice, and then says so.
    for (let i = 0; i < 10; i++) expect(text.split(`<early ${i}>`).length - 1).toBeGreaterThanOrEqual(1);
  });
});
