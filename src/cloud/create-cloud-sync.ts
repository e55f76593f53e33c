import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Db } from '../db/open-database.js';
import { CloudSyncClient } from './cloud-sync-client.js';

export interface CreateCloudSyncDeps {
  config: Readonly<Config>;
  db: Db;
  log: Logger;
  now: () => Date;
}

/** The sync client when `cloud.url` is set (and gatewayId with it), else null: sync is off. */
export function createCloudSync(deps: CreateCloudSyncDeps): CloudSyncClient | null {
  const { url, gatewayId } = deps.config.cloud;
  if (url === undefined) return null;
  const log = deps.log.child({ component: 'cloud-sync' });
  if (gatewayId === undefined) {
    log.error('cloud.url is set but cloud.gatewayId is not: cloud sync is off');
    return null;
  }
  return new CloudSyncClient({ cloud: { ...deps.config.cloud, url, gatewayId }, db: deps.db, log, now: deps.now });
}
