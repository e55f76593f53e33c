import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudSyncClient } from '../../../src/cloud/cloud-sync-client.js';
import { parseConfig } from '../../../src/config/load-config.js';
import { openDatabase, type Db } from '../../../src/db/open-database.js';
import { KeyStore } from '../../../src/keys/key-store.js';
import { createLogger } from '../../../src/log/create-logger.js';
import { LogCapture } from '../../helpers/log-capture.js';
import { waitFor } from '../../helpers/wait-for.js';
import { ReferenceCloud, sha256Of } from '../../peers/reference-cloud/reference-cloud.mjs';

/**
 * The cloud sync client against the reference cloud over real HTTP, with the gateway's clock
 * injected: the cloud's clock ahead, behind and jumping (cloud-sync.md check 4), staleness counted
 * from issuedAt clamped to the gateway's clock, and skew reported once.
 */

let dir: string;
let db: Db;
let cloud: ReferenceCloud;
let client: CloudSyncClient | undefined;
let logs: LogCapture;
let nowMs: number;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'printgate-cloud-client-'));
  db = openDatabase({ dataDir: dir });
  cloud = await ReferenceCloud.start({ pingSeconds: 3600 });
  logs = new LogCapture();
  nowMs = Date.now();
});

afterEach(async () => {
  await client?.stop();
  client = undefined;
  await cloud.stop();
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

function start(cloudOverrides: Record<string, unknown> = {}): CloudSyncClient {
  const tokenFile = path.join(dir, 'token');
  writeFileSync(tokenFile, cloud.token, { mode: 0o600 });
  const config = parseConfig({ cloud: { ...cloud.configFor(tokenFile), stream: false, pollSeconds: 3600, ...cloudOverrides } });
  client = new CloudSyncClient({
    cloud: { ...config.cloud, url: cloud.url, gatewayId: cloud.gatewayId },
    db,
    log: createLogger({ level: 'debug', destination: logs }),
    now: () => new Date(nowMs),
    random: () => 0.5,
  });
  client.start();
  return client;
}

const keyState = (key: string): string => {
  const found = new KeyStore({ db, now: () => new Date(nowMs) }).findByHash(sha256Of(key));
  return found === null ? 'unknown' : found.revokedAt === null ? 'live' : 'revoked';
};

async function pulled(seq: number): Promise<void> {
  await client!.pull();
  await waitFor(`seq ${seq} applied`, () => client!.status().appliedSeq === seq, 5000, 5);
}

describe('CloudSyncClient and the cloud clock', () => {
  it('keeps applying revocations after one feed from a clock 10 minutes ahead', async () => {
    const a = cloud.upsert();
    const b = cloud.upsert();
    const sync = start();
    await pulled(b.seq);
    cloud.clockOffsetMs = 600_000;
    cloud.revoke({ keyId: a.keyId });
    await pulled(b.seq + 1);
    expect(sync.status()).toMatchObject({ clockSkewed: true, clockSkewSeconds: 600 });
    // The future issuedAt counts as issued now for staleness.
    expect(sync.status().issuedAt).toBe(new Date(nowMs).toISOString());
    // The clock comes right: the next revocation applies at once (it used to wait out the 10 minutes as "rollback").
    cloud.clockOffsetMs = 0;
    cloud.revoke({ keyId: b.keyId });
    await pulled(b.seq + 2);
    expect([keyState(a.key!), keyState(b.key!)]).toEqual(['revoked', 'revoked']);
    expect(sync.status()).toMatchObject({ clockSkewed: false, rejected: { rollback: 0, replay: 0 } });
    expect(logs.find("cloud clock skewed: feeds still apply in sequence order, staleness counts from the gateway's clock")).toHaveLength(1);
    expect(logs.find('cloud clock back within maxClockSkewSeconds')).toHaveLength(1);
  });

  it('takes new keys from a clock 10 minutes behind; staleness counts from the old issuedAt', async () => {
    cloud.clockOffsetMs = -600_000;
    const a = cloud.upsert();
    const sync = start({ maxStalenessSeconds: 900 });
    await pulled(a.seq);
    expect(keyState(a.key!)).toBe('live');
    expect(sync.status()).toMatchObject({ clockSkewed: true, clockSkewSeconds: -600, stale: false });
    const b = cloud.upsert();
    await pulled(b.seq);
    expect(keyState(b.key!)).toBe('live');
    // 10 minutes behind plus 5 more on the gateway's clock: 15 minutes since the cloud says it issued the feed.
    nowMs += 301_000;
    expect(sync.status().stale).toBe(true);
    expect(logs.find("cloud clock skewed: feeds still apply in sequence order, staleness counts from the gateway's clock")).toHaveLength(1);
  });

  it('applies every feed in sequence order while the cloud clock jumps back and forth', async () => {
    const sync = start();
    const keys: { key: string | null; seq: number }[] = [];
    for (const offset of [0, 600_000, -600_000, 3_600_000, 0, -86_400_000, 0]) {
      cloud.clockOffsetMs = offset;
      keys.push(cloud.upsert());
      await pulled(keys.at(-1)!.seq);
    }
    expect(keys.map((key) => keyState(key.key!))).toEqual(keys.map(() => 'live'));
    expect(Object.values(sync.status().rejected).reduce((sum, n) => sum + n, 0)).toBe(0);
    // Right, skewed (ahead), skewed (behind), skewed (ahead), right, skewed, right: one line per change, not per feed.
    expect(logs.find("cloud clock skewed: feeds still apply in sequence order, staleness counts from the gateway's clock")).toHaveLength(2);
    expect(logs.find('cloud clock back within maxClockSkewSeconds')).toHaveLength(2);
  });

  it('counts a 304 as fresh now, and honours maxClockSkewSeconds', async () => {
    cloud.clockOffsetMs = 100_000;
    const a = cloud.upsert();
    const sync = start({ maxClockSkewSeconds: 120, maxStalenessSeconds: 60 });
    await pulled(a.seq);
    expect(sync.status()).toMatchObject({ clockSkewSeconds: 100, clockSkewed: false, maxClockSkewSeconds: 120 });
    nowMs += 61_000;
    expect(sync.status().stale).toBe(true);
    await sync.pull(); // 304: nothing new as of now
    expect(sync.status()).toMatchObject({ stale: false, issuedAt: new Date(nowMs).toISOString() });
  });
});
