import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { openDatabase } from '../../src/db/open-database.js';
import { createLogger } from '../../src/log/create-logger.js';
import { startGateway, type Gateway } from '../../src/main.js';
import { LogCapture } from '../helpers/log-capture.js';
import { waitFor } from '../helpers/wait-for.js';
import { cloudHealth, startCloudPeer, whoAmI, type CloudPeer } from '../peers/reference-cloud.js';

// A gateway stopped in the middle of a sync keeps the position it had applied, and resumes from it.

let peer: CloudPeer | undefined;
let dataDir: string | undefined;
const running: Gateway[] = [];

afterEach(async () => {
  for (const gateway of running.splice(0)) await gateway.stop();
  await peer?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  peer = dataDir = undefined;
});

async function boot(): Promise<Gateway> {
  const config = parseConfig({
    dataDir,
    server: { host: '127.0.0.1', port: 0, shutdownGraceSeconds: 1 },
    cloud: peer!.config({ stream: true, pollSeconds: 0.2 }),
  });
  const gateway = await startGateway({ config, log: createLogger({ level: 'debug', destination: new LogCapture() }) });
  running.push(gateway);
  return gateway;
}

function storedSeq(): number {
  const db = openDatabase({ dataDir: dataDir! });
  try {
    return (db.prepare('SELECT applied_seq FROM cloud_sync_state WHERE id = 1').get() as { applied_seq: number }).applied_seq;
  } finally {
    db.close();
  }
}

describe('cloud sync across restarts', () => {
  it('persists the applied seq; a sync cut short by a stop applies nothing; the next boot resumes with since=<seq>', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'printgate-cloud-restart-'));
    peer = await startCloudPeer({ slowMs: 3000 });
    const a = peer.cloud.upsert();
    const first = await boot();
    await waitFor('first sync', async () => (await cloudHealth(first.url)).cloud?.appliedSeq === a.seq);
    await first.stop();
    running.splice(0);
    expect(storedSeq()).toBe(a.seq);

    const revokedSeq = peer.cloud.revoke({ keyId: a.keyId });
    const b = peer.cloud.upsert();
    peer.cloud.setFault('slow');
    const received = peer.cloud.received;
    const second = await boot();
    await waitFor('the slow pull to start', () => peer!.cloud.received > received);
    await second.stop();
    running.splice(0);
    expect(storedSeq()).toBe(a.seq);

    peer.cloud.setFault('none');
    const mark = peer.cloud.requests.length;
    const third = await boot();
    await waitFor('resumed sync', async () => (await cloudHealth(third.url)).cloud?.appliedSeq === b.seq);
    const pulls = peer.cloud.requests.slice(mark).filter((r) => r.since !== null && r.status === 200);
    expect(pulls[0]).toMatchObject({ since: a.seq });
    expect(pulls.some((r) => r.since === 0)).toBe(false);
    expect(revokedSeq).toBeLessThan(b.seq);
    expect((await whoAmI(third.url, a.key!)).code).toBe('TOKEN_REVOKED');
    expect((await whoAmI(third.url, b.key!)).status).toBe(200);
  });
});
