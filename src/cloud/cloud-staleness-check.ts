import { AppError } from '../errors/app-error.js';
import type { KeyRecord } from '../keys/key-store.js';
import type { CloudConfig } from './cloud-sync-client.js';
import type { CloudSyncStatus } from './cloud-sync-status.js';

export interface CloudStalenessCheckDeps {
  cloud: Readonly<CloudConfig>;
  status: () => Pick<CloudSyncStatus, 'stale' | 'lastSuccessAt'>;
}

/**
 * An Authenticator extra check: with maxStalenessSeconds > 0 and onStale "deny-cloud-keys",
 * cloud keys are refused while key sync is stale; local keys are never affected.
 */
export function cloudStalenessCheck(deps: CloudStalenessCheckDeps): (record: KeyRecord) => void {
  return (record) => {
    if (record.source !== 'cloud') return;
    if (deps.cloud.maxStalenessSeconds <= 0 || deps.cloud.onStale !== 'deny-cloud-keys') return;
    const status = deps.status();
    if (!status.stale) return;
    throw new AppError('TOKEN_INVALID', `cloud key refused: key sync is stale since ${status.lastSuccessAt ?? 'never (no successful sync yet)'}`);
  };
}
