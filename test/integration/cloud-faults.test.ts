import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { cloudHealth, statusKeyOf, startCloudPeer, startSyncedGateway, whoAmI, type CloudPeer } from '../peers/reference-cloud.js';

// A forged, misdirected, replayed, rolled-back or gapped feed never changes what the gateway
// accepts; a cloud that is down, slow or refusing the token never stops it serving.

let peer: CloudPeer | undefined;
let gw: TestGateway | undefined;

afterEach(async () => {
  await gw?.stop();
  await peer?.stop();
  gw = peer = undefined;
});

const POLL = { stream: false, pollSeconds: 0.2 };

async function health(gateway: TestGateway) {
  const body = await cloudHealth(gateway.url, statusKeyOf(gateway));
  if (!body.cloud) throw new Error('healthz has no cloud section');
  return body.cloud;
}

async function synced(gateway: TestGateway, seq: number): Promise<void> {
  await waitFor(`gateway applied seq ${seq}`, async () => (await health(gateway)).appliedSeq === seq);
}

async function rejected(gateway: TestGateway, reason: string): Promise<void> {
  await waitFor(`a feed rejected for ${reason}`, async () => ((await health(gateway)).rejected[reason] ?? 0) >= 2);
}

describe('cloud sync: hostile and broken feeds change nothing', () => {
  it('refuses a feed signed by an untrusted key, then applies the genuine one', async () => {
    peer = await startCloudPeer();
    const a = peer.cloud.upsert();
    peer.cloud.setFault('bad-signature');
    gw = await startSyncedGateway(peer, POLL);
    await rejected(gw, 'bad-signature');
    expect((await whoAmI(gw.url, a.key!)).code).toBe('TOKEN_INVALID');
    expect(await health(gw)).toMatchObject({ appliedSeq: 0, lastSuccessAt: null });
    expect(gw.logs.find('cloud feed rejected').some((entry) => entry.reason === 'bad-signature')).toBe(true);
    const metrics = await (await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${statusKeyOf(gw)}` } })).text();
    expect(metrics).toMatch(/^# TYPE printgate_cloud_sync_rejected_total counter$/m);
    expect(Number(/^printgate_cloud_sync_rejected_total\{reason="bad-signature"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(2);
    expect(metrics).toContain('printgate_cloud_sync_rejected_total{reason="replay"} 0');
    expect(metrics).toContain('printgate_cloud_sync_age_seconds -1');
    peer.cloud.setFault('none');
    await synced(gw, a.seq);
    expect((await whoAmI(gw.url, a.key!)).status).toBe(200);
  });

  it('refuses a feed for another gateway', async () => {
    peer = await startCloudPeer();
    const a = peer.cloud.upsert();
    peer.cloud.setFault('wrong-gateway');
    gw = await startSyncedGateway(peer, POLL);
    await rejected(gw, 'wrong-gateway');
    expect((await whoAmI(gw.url, a.key!)).code).toBe('TOKEN_INVALID');
    expect((await health(gw)).appliedSeq).toBe(0);
  });

  it('ignores a replayed older feed: a revoked key stays revoked', async () => {
    peer = await startCloudPeer();
    const a = peer.cloud.upsert();
    gw = await startSyncedGateway(peer, POLL);
    await synced(gw, a.seq); // this first feed is what the replay will re-send
    const revokedSeq = peer.cloud.revoke({ keyId: a.keyId });
    await synced(gw, revokedSeq);
    peer.cloud.setFault('replay');
    const c = peer.cloud.upsert();
    await rejected(gw, 'replay');
    expect((await whoAmI(gw.url, a.key!)).code).toBe('TOKEN_REVOKED');
    expect((await whoAmI(gw.url, c.key!)).code).toBe('TOKEN_INVALID');
    expect((await health(gw)).appliedSeq).toBe(revokedSeq);
  });

  it('refuses a snapshot whose sequence rolls back (a cloud restored from an old backup)', async () => {
    peer = await startCloudPeer();
    const a = peer.cloud.upsert();
    const b = peer.cloud.upsert();
    gw = await startSyncedGateway(peer, POLL);
    await synced(gw, b.seq);
    peer.cloud.setFault('rollback');
    const c = peer.cloud.upsert();
    await rejected(gw, 'replay');
    expect((await whoAmI(gw.url, c.key!)).code).toBe('TOKEN_INVALID');
    expect((await whoAmI(gw.url, a.key!)).status).toBe(200);
    expect((await health(gw)).appliedSeq).toBe(b.seq);
    peer.cloud.setFault('none');
    await synced(gw, c.seq);
    expect((await whoAmI(gw.url, c.key!)).status).toBe(200);
  });

  // Spec change (cloud-sync.md check 4, issue 14): an issuedAt in the past no longer refuses a feed
  // whose sequence advances; it used to be rejected as "rollback".
  it('applies an advancing feed whose issuedAt is far in the past, and reports the skew', async () => {
    peer = await startCloudPeer();
    const a = peer.cloud.upsert();
    gw = await startSyncedGateway(peer, POLL);
    await synced(gw, a.seq);
    peer.cloud.clockOffsetMs = -365 * 86_400_000;
    const c = peer.cloud.upsert();
    await synced(gw, c.seq);
    expect((await whoAmI(gw.url, c.key!)).status).toBe(200);
    const cloud = await health(gw);
    expect(cloud.rejected.rollback).toBe(0);
    expect(cloud).toMatchObject({ clockSkewed: true });
  });

  it('on a gap asks for since=0 and applies the snapshot', async () => {
    peer = await startCloudPeer();
    const a = peer.cloud.upsert();
    gw = await startSyncedGateway(peer, POLL);
    await synced(gw, a.seq);
    peer.cloud.setFault('gap');
    const b = peer.cloud.upsert();
    const c = peer.cloud.upsert();
    await synced(gw, c.seq);
    expect((await health(gw)).rejected.gap).toBeGreaterThanOrEqual(1);
    const requests = peer.cloud.requests;
    const gapAt = requests.findIndex((r) => r.since === a.seq && r.status === 200);
    expect(gapAt).toBeGreaterThanOrEqual(0);
    expect(requests[gapAt + 1]).toMatchObject({ since: 0, status: 200 });
    expect((await whoAmI(gw.url, b.key!)).status).toBe(200);
    expect((await whoAmI(gw.url, c.key!)).status).toBe(200);
  });
});

describe('cloud sync: offline', () => {
  it('serves local keys while the cloud is down at boot, and syncs once it is back', async () => {
    peer = await startCloudPeer();
    const a = peer.cloud.upsert();
    peer.cloud.setFault('down');
    gw = await startSyncedGateway(peer, POLL);
    const local = gw.createKey(['ViewDevice']);
    expect((await whoAmI(gw.url, local.key)).status).toBe(200);
    await waitFor('the failure in health', async () => (await health(gw!)).lastError !== null);
    const body = await cloudHealth(gw.url, statusKeyOf(gw));
    expect(body.cloudSyncAgeSeconds).toBeNull();
    expect(body.cloud).toMatchObject({ appliedSeq: 0, streamConnected: false });
    peer.cloud.setFault('none');
    await synced(gw, a.seq);
    expect((await whoAmI(gw.url, a.key!)).status).toBe(200);
    // Down again: synced keys keep working.
    peer.cloud.setFault('down');
    await waitFor('the outage noticed', async () => (await health(gw!)).lastError !== null);
    expect((await whoAmI(gw.url, a.key!)).status).toBe(200);
    expect((await whoAmI(gw.url, local.key)).status).toBe(200);
  });

  it('keeps serving while the cloud is slow', async () => {
    peer = await startCloudPeer({ slowMs: 20_000 });
    peer.cloud.setFault('slow');
    gw = await startSyncedGateway(peer, { stream: true, pollSeconds: 0.2 });
    await waitFor('the cloud to be asked', () => peer!.cloud.received > 0);
    const local = gw.createKey(['ViewDevice']);
    expect((await whoAmI(gw.url, local.key)).status).toBe(200);
    expect((await cloudHealth(gw.url, statusKeyOf(gw))).cloudSyncAgeSeconds).toBeNull();
  });

  it('logs a refused token once at error and keeps serving; never logs the token', async () => {
    peer = await startCloudPeer();
    peer.cloud.setFault('unauthorized');
    gw = await startSyncedGateway(peer, POLL);
    await waitFor('several refused pulls', () => peer!.cloud.requests.filter((r) => r.status === 401).length >= 3);
    const refusals = gw.logs.find('cloud refused the gateway token; check cloud.tokenFile');
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({ level: 'error' });
    const local = gw.createKey(['ViewDevice']);
    expect((await whoAmI(gw.url, local.key)).status).toBe(200);
    expect(gw.logs.text()).not.toContain(peer.cloud.token);
  });

  it('refuses cloud keys (not local ones) while sync is stale with onStale deny-cloud-keys', async () => {
    let offsetMs = 0;
    const now = (): Date => new Date(Date.now() + offsetMs);
    peer = await startCloudPeer();
    const a = peer.cloud.upsert({ permissions: ['ViewDevice', 'ViewJobs'] });
    gw = await startSyncedGateway(peer, { ...POLL, maxStalenessSeconds: 60, onStale: 'deny-cloud-keys' }, now);
    const local = gw.createKey(['ViewDevice']);
    await synced(gw, a.seq);
    expect((await whoAmI(gw.url, a.key!)).status).toBe(200);
    let streamText = '';
    let streamEnded = false;
    const stream = http.get(`${gw.url}/api/v1/events`, { headers: { 'star-api-key': a.key! } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (streamText += chunk));
      res.on('close', () => (streamEnded = true));
    });
    try {
      await waitFor('the event stream to open', () => streamText.startsWith('retry:'));
      peer.cloud.setFault('down');
      offsetMs = 120_000;
      await waitFor('sync to go stale', async () => (await health(gw!)).stale);
      const whole = (await (await fetch(`${gw.url}/healthz`, { headers: { authorization: `Bearer ${statusKeyOf(gw)}` } })).json()) as { status: string; problems: string[] };
      expect(whole.status).toBe('degraded');
      expect(whole.problems.join('\n')).toContain('cloud sync: stale');
      const refused = await whoAmI(gw.url, a.key!);
      expect(refused).toMatchObject({ status: 401, code: 'TOKEN_INVALID' });
      expect(refused.message).toContain('key sync is stale since');
      // The cloud key's open stream goes too, at its next check (here: a key change by another connection).
      gw.createKey(['ViewJobs']);
      await waitFor('the stale cloud key’s stream closed', () => streamEnded);
      expect(streamText).toContain('"code":"TOKEN_INVALID"');
    } finally {
      stream.destroy();
    }
    expect((await whoAmI(gw.url, local.key)).status).toBe(200);
    peer.cloud.setFault('none');
    await waitFor('a fresh sync', async () => !(await health(gw!)).stale);
    expect((await whoAmI(gw.url, a.key!)).status).toBe(200);
    expect(await (await fetch(`${gw.url}/healthz`, { headers: { authorization: `Bearer ${statusKeyOf(gw)}` } })).json()).toMatchObject({ status: 'ok', problems: [] });
  });
});
