import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';

let gw: TestGateway;
let sink: TcpSink;
let key: string;

async function call(method: string, path: string, auth: string | null, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}${path}`, { method, headers: { ...(auth ? { Authorization: `Bearer ${auth}` } : {}), ...headers }, body });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as any, headers: res.headers };
}

const JOB_FIELDS = ['id', 'printerId', 'name', 'contentType', 'bytes', 'copies', 'state', 'stateReason', 'attempts', 'createdAt', 'updatedAt', 'completedAt', 'warnings'];

beforeAll(async () => {
  sink = await startTcpSink();
  const dead = await startTcpSink();
  const deadPort = dead.port;
  await dead.close();
  gw = await startTestGateway({
    printers: [
      { name: 'Counter', group: 'shop', appId: 'counter01', uri: sink.uri },
      { name: 'Kitchen', group: 'back', uri: `socket://127.0.0.1:${deadPort}` },
    ],
  });
  key = gw.createKey(['ViewJobs', 'PrintToDevice', 'FlushQueue']).key;
});

afterAll(async () => {
  await gw?.stop();
  await sink?.close();
});

describe('native jobs API', () => {
  it('POST /api/v1/printers/{id}/jobs prints with Star options and answers 201 with the job and Location', async () => {
    const res = await call('POST', '/api/v1/printers/counter/jobs?copies=2&drawer=start', key, 'Hello native\n', {
      'Content-Type': 'text/plain',
      'Star-Job-Name': 'native-1',
    });
    expect(res.status).toBe(201);
    const job = res.json();
    for (const field of JOB_FIELDS) expect(job).toHaveProperty(field);
    expect(job).toMatchObject({ printerId: 'counter', name: 'native-1', copies: 2, contentType: 'text/plain', state: 'pending' });
    expect(res.headers.get('location')).toBe(`/api/v1/jobs/${job.id}`);
    await sink.waitForJobs(1);
    const done = await waitFor('the job to complete', async () => {
      const current = (await call('GET', `/api/v1/jobs/${job.id}`, key)).json();
      return current.state === 'completed' ? current : null;
    });
    expect(done.completedAt).toEqual(expect.any(String));
  });

  it('the native print route validates like Star: options 400, type 415, unknown printer 404', async () => {
    const bad = await call('POST', '/api/v1/printers/counter/jobs?copies=11', key, 'x', { 'Content-Type': 'text/plain' });
    expect(bad.status).toBe(400);
    expect(bad.json().error.message).toContain('copies');
    const type = await call('POST', '/api/v1/printers/counter/jobs', key, 'x', { 'Content-Type': 'application/x-nonsense' });
    expect(type.status).toBe(415);
    expect(type.json().error.details.accepted).toContain('text/plain');
    expect((await call('POST', '/api/v1/printers/nope/jobs', key, 'x', { 'Content-Type': 'text/plain' })).status).toBe(404);
  });

  it('GET /api/v1/jobs pages newest first with a cursor and filters by printer, state and since', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      ids.push((await call('POST', '/api/v1/printers/kitchen/jobs', key, `k${i}\n`, { 'Content-Type': 'text/plain' })).json().id);
    }
    const seen: string[] = [];
    let next: string | null = null;
    let pages = 0;
    do {
      const page: any = (await call('GET', `/api/v1/jobs?printer=kitchen&limit=2${next ? `&cursor=${next}` : ''}`, key)).json();
      expect(page.data.length).toBeLessThanOrEqual(2);
      seen.push(...page.data.map((job: any) => job.id));
      next = page.next;
      pages += 1;
    } while (next !== null && pages < 10);
    expect(seen).toEqual([...ids].reverse());

    const counterJobs = (await call('GET', '/api/v1/jobs?printer=counter&state=completed', key)).json().data;
    expect(counterJobs.length).toBeGreaterThanOrEqual(1);
    expect(counterJobs.every((job: any) => job.printerId === 'counter' && job.state === 'completed')).toBe(true);
    const future = (await call('GET', `/api/v1/jobs?since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`, key)).json();
    expect(future).toEqual({ data: [], next: null });

    for (const [query, field] of [['state=lost', 'state'], ['since=yesterday', 'since'], ['limit=0', 'limit'], ['cursor=zzz', 'cursor']]) {
      const res = await call('GET', `/api/v1/jobs?${query}`, key);
      expect(res.status, query).toBe(400);
      expect(res.json().error.details.field).toBe(field);
    }
  });

  it('DELETE /api/v1/jobs/{id} cancels a waiting job; 409 once finished; 404 when unknown', async () => {
    const job = (await call('POST', '/api/v1/printers/kitchen/jobs', key, 'cancel me\n', { 'Content-Type': 'text/plain' })).json();
    const canceled = await call('DELETE', `/api/v1/jobs/${job.id}`, key);
    expect(canceled.status).toBe(200);
    expect(canceled.json()).toMatchObject({ id: job.id, state: 'canceled', stateReason: 'canceled-by-user' });
    const again = await call('DELETE', `/api/v1/jobs/${job.id}`, key);
    expect(again.status).toBe(409);
    expect(again.json().error.code).toBe('CONFLICT');
    expect((await call('DELETE', '/api/v1/jobs/00000000-0000-0000-0000-000000000000', key)).status).toBe(404);
  });

  it('permissions and group limits: ViewJobs to list, FlushQueue to cancel, other groups invisible', async () => {
    const printOnly = gw.createKey(['PrintToDevice']).key;
    expect((await call('GET', '/api/v1/jobs', printOnly)).status).toBe(403);
    const job = (await call('POST', '/api/v1/printers/kitchen/jobs', key, 'x\n', { 'Content-Type': 'text/plain' })).json();
    expect((await call('DELETE', `/api/v1/jobs/${job.id}`, printOnly)).status).toBe(403);
    const viewJobs = gw.createKey(['ViewJobs'], {}).key;
    expect((await call('POST', '/api/v1/printers/counter/jobs', viewJobs, 'x', { 'Content-Type': 'text/plain' })).status).toBe(403);
    const shopOnly = gw.createKey(['ViewJobs', 'FlushQueue', 'PrintToDevice'], { groups: ['shop'] }).key;
    const listed = (await call('GET', '/api/v1/jobs?limit=200', shopOnly)).json().data;
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.every((entry: any) => entry.printerId === 'counter')).toBe(true);
    expect((await call('DELETE', `/api/v1/jobs/${job.id}`, shopOnly)).status).toBe(404);
    expect((await call('POST', '/api/v1/printers/kitchen/jobs', shopOnly, 'x', { 'Content-Type': 'text/plain' })).status).toBe(404);
  });
});

// What a replay means (same job, conflicts, the window, full queues) is the jobs service's
// (test/unit/jobs/jobs-service.test.ts); here only what each print door says about it.
describe('Idempotent-Replayed on both print doors', () => {
  it('a retry under its Idempotency-Key answers the first job with Idempotent-Replayed: true, natively and on the Star route, and prints once', async () => {
    const native = () => call('POST', '/api/v1/printers/counter/jobs', key, 'native once\n', { 'Content-Type': 'text/plain', 'Idempotency-Key': 'native-1' });
    const first = await native();
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await native();
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json().id).toBe(first.json().id);

    const star = () => call('POST', '/v1/a/shop/d/counter01/q', key, 'star once\n', { 'Content-Type': 'text/plain', 'Idempotency-Key': 'star-1' });
    const starFirst = await star();
    expect(starFirst.status).toBe(201);
    expect(starFirst.headers.get('idempotent-replayed')).toBeNull();
    const starAgain = await star();
    expect(starAgain.status).toBe(201);
    expect(starAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(starAgain.json()).toEqual(starFirst.json());

    expect((await call('POST', '/api/v1/printers/counter/jobs', key, 'marker\n', { 'Content-Type': 'text/plain' })).status).toBe(201);
    const printed = await sink.waitForText('marker');
    expect(printed.split('native once').length - 1).toBe(1);
    expect(printed.split('star once').length - 1).toBe(1);
  });
});
