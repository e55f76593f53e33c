import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ReferenceCloud, type ReferenceCloudOptions } from './reference-cloud/reference-cloud.mjs';
import { openDatabase } from '../../src/db/open-database.js';
import { KeyStore } from '../../src/keys/key-store.js';
import { startTestGateway, type TestGateway } from '../helpers/test-gateway.js';

/** The reference cloud (protocol v1) is plain JavaScript beside this file, so `npm run dev:cloud` runs it without a build and dist/ never holds it. */
export { ReferenceCloud, sha256Of, type CloudFault, type ReferenceCloudOptions } from './reference-cloud/reference-cloud.mjs';

export interface CloudPeer {
  cloud: ReferenceCloud;
  /** A 0600 file holding the gateway token, as cloud.tokenFile wants. */
  tokenFile: string;
  /** The `cloud:` config section for this peer, with overrides. */
  config(overrides?: Record<string, unknown>): Record<string, unknown>;
  stop(): Promise<void>;
}

export async function startCloudPeer(options: ReferenceCloudOptions = {}): Promise<CloudPeer> {
  const cloud = await ReferenceCloud.start(options);
  const dir = mkdtempSync(path.join(tmpdir(), 'printgate-cloud-'));
  const tokenFile = path.join(dir, 'cloud-token');
  writeFileSync(tokenFile, `${cloud.token}\n`, { mode: 0o600 });
  return {
    cloud,
    tokenFile,
    config: (overrides = {}) => ({ ...cloud.configFor(tokenFile), ...overrides }),
    stop: async () => {
      await cloud.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A real gateway syncing from the peer. */
export function startSyncedGateway(peer: CloudPeer, cloudOverrides: Record<string, unknown> = {}, now?: () => Date): Promise<TestGateway> {
  return startTestGateway({ cloud: peer.config(cloudOverrides) }, now);
}

export interface AuthAnswer {
  status: number;
  code: string | null;
  message: string | null;
  source: string | null;
}

/** GET /api/v1/me with the key as a Bearer token. */
export async function whoAmI(gatewayUrl: string, key: string): Promise<AuthAnswer> {
  const response = await fetch(`${gatewayUrl}/api/v1/me`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(10_000) });
  const body = (await response.json()) as { error?: { code: string; message: string }; source?: string };
  return { status: response.status, code: body.error?.code ?? null, message: body.error?.message ?? null, source: body.source ?? null };
}

export interface HealthCloud {
  appliedSeq: number;
  lastSuccessAt: string | null;
  syncAgeSeconds: number | null;
  streamConnected: boolean;
  stale: boolean;
  lastError: string | null;
  rejected: Record<string, number>;
  clockSkewSeconds: number | null;
  clockSkewed: boolean;
}

/** /healthz as a key with ViewStatus reads it (without one it says only ok/degraded). */
export async function cloudHealth(gatewayUrl: string, statusKey: string): Promise<{ cloudSyncAgeSeconds: number | null; cloud: HealthCloud | null }> {
  const response = await fetch(`${gatewayUrl}/healthz`, { headers: { authorization: `Bearer ${statusKey}` }, signal: AbortSignal.timeout(10_000) });
  return (await response.json()) as { cloudSyncAgeSeconds: number | null; cloud: HealthCloud | null };
}

const statusKeys = new WeakMap<TestGateway, string>();

/** A local key with ViewStatus for this gateway, minted once: the cloud section of /healthz and /metrics are shown to such a key. */
export function statusKeyOf(gateway: TestGateway): string {
  let key = statusKeys.get(gateway);
  if (key === undefined) {
    key = gateway.createKey(['ViewStatus'], { name: 'status' }).key;
    statusKeys.set(gateway, key);
  }
  return key;
}

/** Mints a local key with ViewStatus in a data directory (for gateways started as processes or by hand). */
export function mintStatusKey(dataDir: string): string {
  const db = openDatabase({ dataDir });
  try {
    return new KeyStore({ db, now: () => new Date() }).create({ name: 'status', permissions: ['ViewStatus'] }).key;
  } finally {
    db.close();
  }
}
