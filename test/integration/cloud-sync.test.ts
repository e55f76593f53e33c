import { afterEach, describe, expect, it } from 'vitest';
import type { TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { cloudHealth, sha256Of, statusKeyOf, startCloudPeer, startSyncedGateway, whoAmI, type CloudPeer } from '../peers/reference-cloud.js';

// Pulls, snapshots, 304/410 and the rules of application, against the reference cloud over real HTTP.
// The push stream is off here (cloud-push.test.ts covers it): every change arrives by polling.

let peer: CloudPeer | undefined;
let gw: TestGateway | undefined;

afterEach(async () => {
  await gw?.stop();
  await peer?.stop();
  gw = peer = undefined;
});

async function synced(gateway: TestGateway, seq: number): Promise<void> {
  await waitFor(`gateway applied seq ${seq}`, async () => (await cloudHealth(gateway.url, statusKeyOf(gateway))).cloud?.appliedSeq === seq);
}

async function start(cloudOverrides: Record<string, unknown> = {}): Promise<{ peer: CloudPeer; gw: TestGateway }> {
  peer = await startCloudPeer();
  gw = await startSyncedGateway(peer, { stream: false, pollSeconds: 0.2, ...cloudOverrides });
  return { peer, gw };
}

describe('cloud sync: pull and apply', () => {
  it('takes a signed snapshot at boot: cloud keys work with source cloud, health shows the position', async () => {
    peer = await startCloudPeer();
    const pos = peer.cloud.upsert({ name: 'POS 1', permissions: ['PrintToDevice', 'ViewDevice', 'printers:read'], groups: ['store1'] });
    gw = await startSyncedGateway(peer, { stream: false, pollSeconds: 0.2 });
    await synced(gw, pos.seq);
    const me = await whoAmI(gw.url, pos.key!);
    expect(me).toMatchObject({ status: 200, source: 'cloud' });
    const record = gw.withKeyStore((store) => store.get(pos.keyId));
    expect(record).toMatchObject({ source: 'cloud', name: 'POS 1', groups: ['store1'], revokedAt: null });
    expect(record?.permissions).toEqual(expect.arrayContaining(['PrintToDevice', 'ViewDevice', 'EnumDevices']));
    // GUIDs are case-insensitive: the upper-case spelling finds the same key.
    expect((await whoAmI(gw.url, pos.key!.toUpperCase())).status).toBe(200);
    const health = await cloudHealth(gw.url, statusKeyOf(gw));
    expect(health.cloud).toMatchObject({ appliedSeq: pos.seq, lastError: null });
    expect(typeof health.cloudSyncAgeSeconds).toBe('number');
    expect(peer.cloud.requests[0]).toMatchObject({ since: 0, status: 200 });
    const metrics = await (await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${statusKeyOf(gw)}` } })).text();
    expect(metrics).toContain(`printgate_cloud_sync_applied_seq ${pos.seq}`);
    expect(metrics).toContain('printgate_cloud_sync_stream_connected 0');
    expect(metrics).toMatch(/^printgate_cloud_sync_age_seconds \d+$/m);
    expect(metrics).toMatch(/^printgate_cloud_sync_last_success_timestamp_seconds [1-9][\d.e+]*$/m);
    expect(metrics).toContain('printgate_cloud_sync_rejected_total{reason="bad-signature"} 0');
    // Quiet cloud: the gateway keeps asking from its position and gets 304.
    await waitFor('a 304 answer', () => peer!.cloud.requests.some((r) => r.since === pos.seq && r.status === 304));
    // The token is never logged.
    expect(gw.logs.text()).not.toContain(peer.cloud.token);
  });

  it('applies deltas: upsert, edit, revoke; a revoked key is refused on the very next request', async () => {
    await start();
    const a = peer!.cloud.upsert({ permissions: ['ViewDevice'] });
    await synced(gw!, a.seq);
    expect((await whoAmI(gw!.url, a.key!)).status).toBe(200);
    const edit = peer!.cloud.upsert({ key: a.key!, keyId: a.keyId, name: 'renamed', permissions: ['ViewJobs'], disabled: true });
    await synced(gw!, edit.seq);
    expect(gw!.withKeyStore((store) => store.get(a.keyId))).toMatchObject({ name: 'renamed', permissions: ['ViewJobs'], disabled: true });
    expect((await whoAmI(gw!.url, a.key!)).code).toBe('TOKEN_DISABLED');
    const revokedSeq = peer!.cloud.revoke({ keyId: a.keyId });
    await synced(gw!, revokedSeq);
    expect(await whoAmI(gw!.url, a.key!)).toMatchObject({ status: 401, code: 'TOKEN_REVOKED' });
    // Deltas were asked with since=<applied seq>.
    expect(peer!.cloud.requests.some((r) => r.since === a.seq && r.status === 200)).toBe(true);
  });

  it('keeps a revocation permanent: a later upsert of the same keyId or sha256 does not revive it', async () => {
    await start();
    const a = peer!.cloud.upsert();
    peer!.cloud.revoke({ keyId: a.keyId, key: a.key! });
    const again = peer!.cloud.upsert({ key: a.key!, keyId: a.keyId });
    const otherId = peer!.cloud.upsert({ key: a.key!, keyId: 'ck_new_id' });
    await synced(gw!, otherId.seq);
    expect((await whoAmI(gw!.url, a.key!)).code).toBe('TOKEN_REVOKED');
    expect(again.seq).toBeLessThan(otherId.seq);
    // A snapshot (since=0 after compaction) re-lists the revocation and changes nothing.
    peer!.cloud.compact();
    const later = peer!.cloud.upsert({ key: a.key!, keyId: a.keyId, name: 'revived?' });
    await synced(gw!, later.seq);
    expect((await whoAmI(gw!.url, a.key!)).code).toBe('TOKEN_REVOKED');
  });

  it('revokes a key it has not seen yet: the key arrives already revoked', async () => {
    await start();
    const key = '6800ffd6-2367-4c8d-b067-d6a28151276a';
    const seq = peer!.cloud.revoke({ sha256: sha256Of(key) });
    await synced(gw!, seq);
    const up = peer!.cloud.upsert({ key, keyId: 'ck_late' });
    await synced(gw!, up.seq);
    expect((await whoAmI(gw!.url, key)).code).toBe('TOKEN_REVOKED');
    expect(gw!.withKeyStore((store) => store.get('ck_late'))?.revokedAt).not.toBeNull();
  });

  it('revokes a LOCAL key by its sha256', async () => {
    await start();
    const local = gw!.createKey(['ViewDevice']);
    expect((await whoAmI(gw!.url, local.key)).status).toBe(200);
    const seq = peer!.cloud.revoke({ sha256: sha256Of(local.key), keyId: null });
    await synced(gw!, seq);
    expect(await whoAmI(gw!.url, local.key)).toMatchObject({ status: 401, code: 'TOKEN_REVOKED' });
    expect(gw!.withKeyStore((store) => store.get(local.id))).toMatchObject({ source: 'local' });
  });

  it('answers 410 with a snapshot, which removes cloud keys it no longer lists and keeps local ones', async () => {
    await start();
    const local = gw!.createKey(['ViewDevice']);
    const a = peer!.cloud.upsert();
    const b = peer!.cloud.upsert();
    await synced(gw!, b.seq);
    expect((await whoAmI(gw!.url, b.key!)).status).toBe(200);
    const seq = peer!.cloud.remove(b.keyId);
    await synced(gw!, seq);
    expect(peer!.cloud.requests.some((r) => r.status === 410)).toBe(true);
    expect(peer!.cloud.requests.some((r) => r.since === 0 && r.status === 200 && r !== peer!.cloud.requests[0])).toBe(true);
    expect((await whoAmI(gw!.url, b.key!)).code).toBe('TOKEN_INVALID');
    expect(gw!.withKeyStore((store) => store.get(b.keyId))).toBeNull();
    expect((await whoAmI(gw!.url, a.key!)).status).toBe(200);
    expect((await whoAmI(gw!.url, local.key)).status).toBe(200);
  });
});
