import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpSink, type TcpSink } from '../peers/tcp-sink.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

/**
 * GET /api/v1/jobs with a key limited to a group: visibility is filtered in SQL, so pages are full
 * (never an empty page that still has a `next`), and a cursor names a job of the listing it came
 * from — another key cannot use it to see, or learn of, a group it may not see.
 */

interface Page {
  data: { id: string; printerId: string; name: string }[];
  next: string | null;
}

describe('job listing with group-limited keys', () => {
  let gw: TestGateway;
  let sinks: TcpSink[];
  let all: string;
  let shopA: string;
  let shopB: string;
  const names = { a: [] as string[], b: [] as string[] };

  const list = async (key: string, query: string): Promise<{ status: number; body: Page & { error?: { code: string; message: string } } }> => {
    const answer = await fetch(`${gw.url}/api/v1/jobs?${query}`, { headers: { authorization: `Bearer ${key}` } });
    return { status: answer.status, body: (await answer.json()) as Page & { error?: { code: string; message: string } } };
  };
  /** Every page of a listing, following `next`. */
  const pages = async (key: string, limit: number): Promise<Page[]> => {
    const seen: Page[] = [];
    let cursor: string | null = null;
    do {
      const { status, body } = await list(key, `limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(status).toBe(200);
      seen.push(body);
      cursor = body.next;
      expect(seen.length).toBeLessThan(100);
    } while (cursor !== null);
    return seen;
  };

  beforeAll(async () => {
    sinks = [await startTcpSink(), await startTcpSink()];
    gw = await startTestGateway({
      limits: { perKey: { ratePerSecond: 10_000, burst: 10_000 } },
      printers: [
        { name: 'Till A', group: 'shopa', appId: 'tilla', uri: sinks[0]!.uri, language: 'raw' },
        { name: 'Till B', group: 'shopb', appId: 'tillb', uri: sinks[1]!.uri, language: 'raw' },
      ],
    });
    const printer = gw.createKey(['PrintToDevice']).key;
    all = gw.createKey(['ViewJobs']).key;
    shopA = gw.createKey(['ViewJobs'], { groups: ['shopa'] }).key;
    shopB = gw.createKey(['ViewJobs'], { groups: ['shopb'] }).key;
    // Shop A's 12 jobs are far apart among shop B's 96: a filter after the LIMIT would page through gaps.
    for (let i = 0; i < 108; i += 1) {
      const shop = i % 9 === 4 ? 'a' : 'b';
      const name = `${shop}-${i}`;
      names[shop].push(name);
      const answer = await fetch(`${gw.url}/v1/a/shop${shop}/d/till${shop}/q`, {
        method: 'POST',
        headers: { authorization: `Bearer ${printer}`, 'content-type': 'text/plain', 'star-job-name': name },
        body: `${name}\n`,
      });
      expect(answer.status).toBe(201);
    }
  });
  afterAll(async () => {
    await gw.stop();
    for (const sink of sinks) await sink.close();
  });

  it('gives a group-limited key full pages of its own jobs, newest first, and no empty page with a next', async () => {
    const seen = await pages(shopA, 5);
    expect(seen.map((page) => page.data.length)).toEqual([5, 5, 2]);
    for (const page of seen) if (page.data.length === 0) expect(page.next).toBeNull();
    expect(seen.flatMap((page) => page.data.map((job) => job.name))).toEqual([...names.a].reverse());
    expect(seen.flatMap((page) => page.data.map((job) => job.printerId)).every((id) => id === 'till-a')).toBe(true);
    const b = await pages(shopB, 40);
    expect(b.map((page) => page.data.length)).toEqual([40, 40, 16]);
    expect(b.flatMap((page) => page.data.map((job) => job.name))).toEqual([...names.b].reverse());
  });

  it('makes cursors name a job of the listing (never a global sequence) that another key cannot page from', async () => {
    const first = await list(shopA, 'limit=5');
    const cursor = first.body.next!;
    const named = /^job:([0-9a-f-]{36})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'))?.[1];
    expect(named).toBe(first.body.data.at(-1)!.id);
    // Shop B's key cannot continue shop A's listing, and learns nothing from trying.
    const stolen = await list(shopB, `limit=5&cursor=${cursor}`);
    expect(stolen.status).toBe(400);
    expect(stolen.body.error?.code).toBe('BAD_REQUEST');
    // Nothing of shop A in the answer: no job name, group or printer (the random requestId is left out:
    // a UUID such as "…47ea-…" would match a bare "a-").
    const { requestId, ...told } = (stolen.body.error ?? {}) as { requestId?: string };
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(told)).not.toMatch(/\ba-\d+|shopa|till-?a|tilla/i);
    // A cursor forged to name a job of shop B (from an all-groups key's listing) is refused to shop A
    // with the very answer an invented job id gets: its existence does not leak.
    const wide = await list(all, 'limit=1');
    expect(wide.body.data[0]!.name.startsWith('b-')).toBe(true);
    const forged = await list(shopA, `limit=5&cursor=${wide.body.next!}`);
    const invented = await list(shopA, `limit=5&cursor=${Buffer.from(`job:${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`).toString('base64url')}`);
    expect(forged.status).toBe(400);
    expect(forged.body.error?.message).toBe(invented.body.error?.message);
    // The owner's next page follows on exactly.
    const second = await list(shopA, `limit=5&cursor=${cursor}`);
    expect(second.body.data.map((job) => job.name)).toEqual([...names.a].reverse().slice(5, 10));
  });

  it('filters by another group’s printer to nothing for a group-limited key', async () => {
    const other = await list(shopA, 'printer=till-b&limit=50');
    expect(other.status).toBe(200);
    expect(other.body).toEqual({ data: [], next: null });
  });
});
