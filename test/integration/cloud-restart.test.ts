import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.js';
import { openDatabase } from '../../src/db/open-database.js';
import { createLogger } from '../../src/log/create-logger.js';
import { startGateway, type Gateway } from '../../src/main.js';
import { startServe, writeConfig, type ServeProcess } from '../helpers/cli-process.js';
import { LogCapture } from '../helpers/log-capture.js';
import { waitFor } from '../helpers/wait-for.js';
import { cloudHealth, mintStatusKey, startCloudPeer, whoAmI, type CloudPeer } from '../peers/reference-cloud.js';

// A gateway stopped in the middle of a sync keeps the position it had applied, and resumes from it.

let peer: CloudPeer | undefined;
let dataDir: string | undefined;
const running: Gateway[] = [];

const children: ServeProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) await child.stop('SIGKILL');
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
    const statusKey = mintStatusKey(dataDir);
    const first = await boot();
    await waitFor('first sync', async () => (await cloudHealth(first.url, statusKey)).cloud?.appliedSeq === a.seq);
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
    await waitFor('resumed sync', async () => (await cloudHealth(third.url, statusKey)).cloud?.appliedSeq === b.seq);
    const pulls = peer.cloud.requests.slice(mark).filter((r) => r.since !== null && r.status === 200);
    expect(pulls[0]).toMatchObject({ since: a.seq });
    expect(pulls.some((r) => r.since === 0)).toBe(false);
    expect(revokedSeq).toBeLessThan(b.seq);
    expect((await whoAmI(third.url, a.key!)).code).toBe('TOKEN_REVOKED');
    expect((await whoAmI(third.url, b.key!)).status).toBe(200);
  });

  it('a serve killed (SIGKILL) while it takes a big snapshot keeps all of it or none of it, then resumes', async () => {
    peer = await startCloudPeer();
    const KEYS = 20_000;
    let last = peer.cloud.upsert();
    for (let index = 1; index < KEYS; index += 1) last = peer.cloud.upsert({ keyId: `ck_bulk_${index}` });
    const config = writeConfig({
      server: { host: '127.0.0.1', port: 0 },
      log: { level: 'info' },
      discovery: { interfaces: [], serial: false, usb: false },
      cloud: peer.config({ stream: false, pollSeconds: 0.5 }),
    });
    dataDir = config.dir;
    const statusKey = mintStatusKey(config.dataDir);
    const first = await startServe(config.file);
    children.push(first);
    // The snapshot has left the cloud: the gateway is verifying, parsing or applying it. Kill it there.
    await waitFor('the snapshot sent', () => peer!.cloud.requests.some((r) => r.since === 0 && r.status === 200));
    await new Promise((resolve) => setTimeout(resolve, 150));
    await first.stop('SIGKILL');
    children.splice(0);

    const db = openDatabase({ dataDir: config.dataDir });
    try {
      const seq = (db.prepare('SELECT applied_seq FROM cloud_sync_state WHERE id = 1').get() as { applied_seq: number } | undefined)?.applied_seq ?? 0;
      const cloudKeys = (db.prepare("SELECT COUNT(*) AS n FROM api_keys WHERE source = 'cloud'").get() as { n: number }).n;
      expect({ seq, cloudKeys }).toEqual(seq === 0 ? { seq: 0, cloudKeys: 0 } : { seq: last.seq, cloudKeys: KEYS });
    } finally {
      db.close();
    }

    const second = await startServe(config.file);
    children.push(second);
    await waitFor('the sync after the restart', async () => (await cloudHealth(second.url, statusKey)).cloud?.appliedSeq === last.seq, 60_000);
    expect((await whoAmI(second.url, last.key!)).status).toBe(200);
    const db2 = openDatabase({ dataDir: config.dataDir });
    try {
      expect(db2.prepare("SELECT COUNT(*) AS n FROM api_keys WHERE source = 'cloud'").get()).toEqual({ n: KEYS });
    } finally {
      db2.close();
    }
  }, 120_000);
});
