import { keyState, type KeyRecord, type KeyState } from './key-store.js';
import type { Permission } from './permissions.js';

/** A key as `keys list` and GET /api/v1/keys show it: never the key, only prefix + last 4 (`hint`). */
export interface KeyView {
  id: string;
  name: string;
  description: string;
  hint: string;
  permissions: Permission[];
  groups: string[];
  state: KeyState;
  source: KeyRecord['source'];
  created: string;
  lastUsed: string | null;
  expires: string | null;
  revoked: string | null;
}

export function keyView(record: KeyRecord, now: Date): KeyView {
  return {
    id: record.id,
    name: record.name,
    description: record.description,
    hint: record.hint,
    permissions: record.permissions,
    groups: record.groups,
    state: keyState(record, now),
    source: record.source,
    created: record.createdAt,
    lastUsed: record.lastUsedAt,
    expires: record.expiresAt,
    revoked: record.revokedAt,
  };
}
