import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestGateway } from '../helpers/test-gateway.js';
import { waitFor } from '../helpers/wait-for.js';
import { cloudHealth, statusKeyOf, startCloudPeer, startSyncedGateway, whoAmI, type CloudPeer } from '../peers/reference-cloud.js';

// Push: with pollSeconds at an hour, only the `changed` stream can bring a revocation in time.

let peer: CloudPeer | undefined;
let gw: TestGateway | undefined;

afterEach(async () => {
  await gw?.stop();
  await peer?.stop();
  gw = peer = undefined;
});

/** Generous and bounded; the 2-second target is measured by the benchmark, not asserted here. */
const PUSH_WAIT_MS = 10_000;

async function connectedAndSynced(gateway: TestGateway, seq: number): Promise<void> {
  await waitFor('stream connected and synced', async () => {
    const cloud = (await cloudHealth(gateway.url, statusKeyOf(gateway))).cloud;
    return cloud?.streamConnected === true && cloud.appliedSeq === seq;
  });
}

describe('cloud sync: push stream', () => {
  it('enforces a revocation pushed over the stream without waiting for a poll', async () => {
    peer = await startCloudPeer();
    const a = peer.cloud.upsert();
    gw = await startSyncedGateway(peer, { stream: true, pollSeconds: 3600 });
    await connectedAndSynced(gw, a.seq);
    expect((await whoAmI(gw.url, a.key!)).status).toBe(200);
    const pullsBefore = peer.cloud.requests.filter((r) => r.since !== null).length;
    peer.cloud.revoke({ keyId: a.keyId });
    await waitFor('the revocation enforced', async () => (await whoAmI(gw!.url, a.key!)).code === 'TOKEN_REVOKED', PUSH_WAIT_MS);
    expect(peer.cloud.requests.filter((r) => r.since !== null).length).toBeGreaterThan(pullsBefore);
  });

  it('closes the open event stream of a key the cloud revokes, pushed, with no poll due', async () => {
    peer = await startCloudPeer();
    const a = peer.cloud.upsert({ permissions: ['ViewJobs'] });
    gw = await startSyncedGateway(peer, { stream: true, pollSeconds: 600 });
    await connectedAndSynced(gw, a.seq);
    let text = '';
    let ended = false;
    const req = http.get(`${gw.url}/api/v1/events`, { headers: { 'star-api-key': a.key! } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('close', () => (ended = true));
    });
    try {
      await waitFor('the event stream to open', () => text.startsWith('retry:'));
      peer.cloud.revoke({ keyId: a.keyId });
      // The stream's own heartbeat is 15 s away: only the applied revocation can close it this soon.
      await waitFor('the event stream closed', () => ended, 8_000);
      expect(text).toContain('"code":"TOKEN_REVOKED"');
    } finally {
      req.destroy();
    }
  });

  it('reconnects after the stream drops and keeps receiving pushes', async () => {
    peer = await startCloudPeer();
    const a = peer.cloud.upsert();
    gw = await startSyncedGateway(peer, { stream: true, pollSeconds: 3600 });
    await connectedAndSynced(gw, a.seq);
    const streamsBefore = peer.cloud.requests.filter((r) => r.path.endsWith('/stream')).length;
    peer.cloud.dropStreams();
    await waitFor('a new stream', () => peer!.cloud.requests.filter((r) => r.path.endsWith('/stream')).length > streamsBefore && peer!.cloud.streamCount > 0);
    await connectedAndSynced(gw, a.seq);
    peer.cloud.revoke({ keyId: a.keyId });
    await waitFor('the revocation enforced', async () => (await whoAmI(gw!.url, a.key!)).code === 'TOKEN_REVOKED', PUSH_WAIT_MS);
  });

  it('polls every pollSeconds while the stream is refused, and shows the stream down', async () => {
    peer = await startCloudPeer();
    const a = peer.cloud.upsert();
    peer.cloud.setFault('no-stream');
    gw = await startSyncedGateway(peer, { stream: true, pollSeconds: 0.5 });
    await waitFor('first sync', async () => (await cloudHealth(gw!.url, statusKeyOf(gw!))).cloud?.appliedSeq === a.seq);
    expect((await cloudHealth(gw.url, statusKeyOf(gw))).cloud?.streamConnected).toBe(false);
    peer.cloud.revoke({ keyId: a.keyId });
    await waitFor('the revocation enforced by polling', async () => (await whoAmI(gw!.url, a.key!)).code === 'TOKEN_REVOKED', PUSH_WAIT_MS);
    expect(peer.cloud.requests.some((r) => r.path.endsWith('/stream') && r.status === 503)).toBe(true);
  });
});
