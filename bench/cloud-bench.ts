import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parseConfig } from '../src/config/load-config.js';
import { CloudSyncClient } from '../src/cloud/cloud-sync-client.js';
import { DB_FILE, openDatabase, type Db } from '../src/db/open-database.js';
import { Authenticator } from '../src/keys/authenticator.js';
import { KeyStore } from '../src/keys/key-store.js';
import { createLogger } from '../src/log/create-logger.js';
import { sampled, type Benchmark } from './benchmark.js';
import { benchNumber, RUNS } from './harness/bench-env.js';
import { loadReferenceCloud } from './harness/load-reference-cloud.js';

/**
 * Cloud sync against the in-process reference cloud over loopback HTTP, the whole path (fetch,
 * Ed25519 verify, parse, checks, one SQLite transaction): a 100,000-key snapshot, a delta of 1,000
 * revocations, and the time from a revocation published to it being refused with the push stream up.
 */

const KEYS = Math.round(benchNumber('BENCH_CLOUD_KEYS', 100_000, 10_000));
const REVOCATIONS = Math.round(benchNumber('BENCH_CLOUD_REVOCATIONS', 1000, 100));
const PUSH_ROUNDS = 20;
const DEADLINE_MS = 300_000;

async function until(what: string, check: () => boolean, deadline: number): Promise<void> {
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`cloud bench: timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

function mb(bytes: number): number {
  return bytes / (1024 * 1024);
}

/** A full GC, so "held" figures are what stays referenced, not garbage not yet collected. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('typeof gc === "function" ? gc : undefined') as (() => void) | undefined;
  gc?.();
  gc?.();
}

/** The highest RSS seen while `run` runs (sampled every 5 ms). */
async function peakRss<T>(run: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const result = await run();
    return { result, peak: Math.max(peak, process.memoryUsage().rss) };
  } finally {
    clearInterval(sampler);
  }
}

export const cloudBench: Benchmark = {
  name: 'cloud',
  description: `cloud sync: ${KEYS} key snapshot, ${REVOCATIONS} revocation delta, push-to-refusal latency`,
  async run(report, note) {
    const deadline = Date.now() + DEADLINE_MS;
    const dir = mkdtempSync(path.join(tmpdir(), 'printgate-cloud-bench-'));
    const ReferenceCloud = await loadReferenceCloud();
    const cloud = await ReferenceCloud.start({ pingSeconds: 3600, keepFirstFeed: false });
    const tokenFile = path.join(dir, 'token');
    writeFileSync(tokenFile, cloud.token, { mode: 0o600 });
    // The client's own "cloud feed applied" lines say how long each apply (one transaction) took.
    const appliedMs: number[] = [];
    const log = createLogger({
      level: 'info',
      destination: {
        write(line: string) {
          const entry = JSON.parse(line) as { msg?: string; ms?: number; events?: number };
          if (entry.msg === 'cloud feed applied' && entry.events === KEYS && typeof entry.ms === 'number') appliedMs.push(entry.ms);
        },
      },
    });
    let db: Db | null = null;
    let client: CloudSyncClient | null = null;
    try {
      const minted = Array.from({ length: KEYS }, (_, index) => cloud.upsert({ keyId: `ck_${index}`, name: `key ${index}` }));
      const config = parseConfig({ cloud: { ...cloud.configFor(tokenFile), stream: false, pollSeconds: 3600 } });
      const cloudConfig = { ...config.cloud, url: cloud.url, gatewayId: cloud.gatewayId };
      const now = (): Date => new Date();
      // The snapshot BENCH_RUNS times, each into a fresh database; the last one stays for the rest.
      const times: number[] = [];
      for (let run = 1; run < RUNS; run += 1) {
        const dataDir = path.join(dir, `data-${run}`);
        const spare = openDatabase({ dataDir });
        const spareClient = new CloudSyncClient({ cloud: cloudConfig, db: spare, log, now, requestTimeoutMs: 120_000 });
        const began = performance.now();
        spareClient.start();
        try {
          await until('the snapshot', () => spareClient.status().appliedSeq === KEYS, deadline);
          times.push(performance.now() - began);
        } finally {
          await spareClient.stop();
          spare.close();
          rmSync(dataDir, { recursive: true, force: true });
        }
      }
      db = openDatabase({ dataDir: path.join(dir, 'data') });
      collectGarbage();
      const before = process.memoryUsage();
      client = new CloudSyncClient({ cloud: cloudConfig, db, log, now, requestTimeoutMs: 120_000 });
      // The longest gap between two ticks of a 5 ms timer: how long the event loop was held at once.
      let lastTick = performance.now();
      let longestStall = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        longestStall = Math.max(longestStall, now - lastTick);
        lastTick = now;
      }, 5);
      let started = performance.now();
      client.start();
      const snapshot = await peakRss(() => until('the snapshot', () => client!.status().appliedSeq === KEYS, deadline));
      times.push(performance.now() - started);
      clearInterval(ticker);
      // The last stretch too: the snapshot's end is seen by `until` before the ticker's next tick.
      longestStall = Math.max(longestStall, performance.now() - lastTick);
      report(sampled(`snapshot of ${KEYS.toLocaleString('en-US')} keys: pull, verify, apply`, times, 'ms', KEYS === 100_000 ? { op: '<', value: 2000 } : undefined));
      if (appliedMs.length > 0) report(sampled('  of which the apply (one transaction: checks, upserts, sha256 index)', appliedMs, 'ms'));
      // What the cloud spends before its first byte (in this process, on this core): the rest is the gateway's.
      const building: number[] = [];
      const signer = generateKeyPairSync('ed25519').privateKey;
      for (let run = 0; run < RUNS; run += 1) {
        const began = performance.now();
        sign(null, Buffer.from(JSON.stringify((cloud as unknown as { feedAfter(since: number): unknown }).feedAfter(0))), signer);
        building.push(performance.now() - began);
      }
      report(sampled('  of which the reference cloud building and signing it', building, 'ms'));
      // The apply is one synchronous transaction on the gateway's event loop: nothing else runs meanwhile.
      report({ label: 'longest event-loop stall during the last snapshot (the cloud\'s included)', value: longestStall, unit: 'ms' });
      collectGarbage();
      const after = process.memoryUsage();
      // Keys live in SQLite, not in the JS heap: the set itself costs disk, and memory only while a feed is applied.
      report({ label: `memory held with ${KEYS} keys: JS heap growth (after GC)`, value: mb(after.heapUsed - before.heapUsed), unit: 'MB' });
      report({ label: `memory held with ${KEYS} keys: RSS growth (after GC)`, value: mb(after.rss - before.rss), unit: 'MB' });
      report({ label: 'peak RSS growth while applying (incl. the cloud)', value: mb(snapshot.peak - before.rss), unit: 'MB' });
      db.pragma('wal_checkpoint(TRUNCATE)');
      report({ label: `database size with ${KEYS} cloud keys`, value: mb(statSync(path.join(dir, 'data', DB_FILE)).size), unit: 'MB' });

      for (let index = 0; index < REVOCATIONS; index += 1) cloud.revoke({ keyId: minted[index]!.keyId });
      started = performance.now();
      await client.pull();
      report({ label: `delta of ${REVOCATIONS} revocations: pull, verify, apply`, value: performance.now() - started, unit: 'ms' });
      await client.stop();

      // Push: the stream up, polling off; time from publish to the key being refused.
      client = new CloudSyncClient({ cloud: { ...cloudConfig, stream: true }, db, log, now });
      client.start();
      await until('the push stream', () => client!.status().streamConnected && cloud.streamCount > 0, deadline);
      const authenticator = new Authenticator({ keys: new KeyStore({ db, now }), now });
      const refused = (key: string): boolean => {
        try {
          authenticator.authenticate({ authorization: `Bearer ${key}` });
          return false;
        } catch {
          return true;
        }
      };
      const latencies: number[] = [];
      for (let round = 0; round < PUSH_ROUNDS; round += 1) {
        const victim = minted[REVOCATIONS + round]!;
        started = performance.now();
        cloud.revoke({ keyId: victim.keyId });
        await until('a pushed revocation', () => refused(victim.key!), deadline);
        latencies.push(performance.now() - started);
      }
      latencies.sort((a, b) => a - b);
      report({ label: 'revocation published → refused, stream up (median)', value: latencies[Math.floor(latencies.length / 2)]!, unit: 'ms' });
      report({ label: 'revocation published → refused, stream up (max)', value: latencies.at(-1)!, unit: 'ms' });
      note('The reference cloud runs in the same process: the peak includes it serializing and signing the');
      note('snapshot body. Keys are held in SQLite; the gateway keeps no in-memory copy of the key set.');
    } finally {
      await client?.stop();
      db?.close();
      await cloud.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
