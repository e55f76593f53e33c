import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load-config.js';
import type { Config } from '../../src/config/schema.js';
import { openDatabase } from '../../src/db/open-database.js';
import { KeyStore } from '../../src/keys/key-store.js';
import { createLogger } from '../../src/log/create-logger.js';
import { startGateway, type Gateway } from '../../src/main.js';
import { LogCapture } from './log-capture.js';

export interface TestGateway {
  gateway: Gateway;
  url: string;
  config: Readonly<Config>;
  dataDir: string;
  logs: LogCapture;
  /** Mints a key through a separate database connection, as the CLI does. */
  createKey(permissions: string[], extra?: { groups?: string[]; expiresAt?: string; name?: string }): { id: string; key: string };
  /** A KeyStore on its own connection (another process's view). */
  withKeyStore<T>(fn: (store: KeyStore) => T): T;
  stop(): Promise<void>;
}

/** Starts a real gateway in this process on 127.0.0.1:0 with a fresh data directory. */
export async function startTestGateway(overrides: Record<string, unknown> = {}, now?: () => Date): Promise<TestGateway> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'printgate-test-'));
  const input = {
    dataDir,
    server: { host: '127.0.0.1', port: 0, shutdownGraceSeconds: 1 },
    jobs: { retryInitialMs: 50, retryMaxMs: 500, connectTimeoutMs: 2000, confirmTimeoutMs: 2000 },
    ...overrides,
  };
  const config = parseConfig(input);
  const logs = new LogCapture();
  const log = createLogger({ level: 'debug', destination: logs });
  const gateway = await startGateway({ config, log, ...(now ? { parts: { clock: now } } : {}) });
  const withKeyStore = <T>(fn: (store: KeyStore) => T): T => {
    const db = openDatabase({ dataDir });
    try {
      return fn(new KeyStore({ db, now: now ?? (() => new Date()) }));
    } finally {
      db.close();
    }
  };
  let stopped = false;
  return {
    gateway,
    url: gateway.url,
    config,
    dataDir,
    logs,
    createKey: (permissions, extra = {}) =>
      withKeyStore((store) => {
        const { record, key } = store.create({ name: extra.name ?? 'test', permissions, groups: extra.groups, expiresAt: extra.expiresAt });
        return { id: record.id, key };
      }),
    withKeyStore,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await gateway.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
