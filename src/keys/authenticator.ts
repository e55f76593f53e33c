import { AppError } from '../errors/app-error.js';
import { hashKey, isWellFormedKey } from './key-format.js';
import { keyState, type KeyRecord, type KeyStore } from './key-store.js';
import type { Permission } from './permissions.js';

/** Where a key can be presented, first found wins: Bearer, Star-Api-Key, ?key=. */
export interface PresentedCredentials {
  authorization?: string | undefined;
  starApiKey?: string | undefined;
  queryKey?: unknown;
}

/** Returns the presented key, or null when none of the three places holds one. */
export function extractKey(credentials: PresentedCredentials): string | null {
  const authorization = credentials.authorization;
  if (authorization !== undefined) {
    const match = /^\s*bearer(?:\s+(.*))?$/i.exec(authorization);
    if (match) return (match[1] ?? '').trim();
  }
  if (credentials.starApiKey !== undefined) return credentials.starApiKey.trim();
  const queryKey = credentials.queryKey;
  if (typeof queryKey === 'string') return queryKey.trim();
  if (Array.isArray(queryKey)) return typeof queryKey[0] === 'string' ? queryKey[0].trim() : '';
  if (queryKey !== undefined) return '';
  return null;
}

export interface AuthenticatorDeps {
  keys: KeyStore;
  now: () => Date;
  /**
   * Further checks on an otherwise active key (e.g. cloud sync refusing cloud keys while its
   * feed is stale). Each throws an AppError to refuse.
   */
  extraChecks?: readonly ((record: KeyRecord) => void)[];
}

/** Turns presented credentials into an active key record, or throws the precise auth error. */
export class Authenticator {
  constructor(private readonly deps: AuthenticatorDeps) {}

  authenticate(credentials: PresentedCredentials): KeyRecord {
    const key = extractKey(credentials);
    if (key === null) throw new AppError('UNAUTHORIZED');
    if (!isWellFormedKey(key)) throw new AppError('TOKEN_INVALID', 'The API key is malformed: expected pgk_live_<64 hex> or a GUID.');
    const record = this.deps.keys.findByHash(hashKey(key));
    if (!record) throw new AppError('TOKEN_INVALID', 'The API key is unknown.');
    this.check(record);
    try {
      this.deps.keys.touch(record.id);
    } catch {
      // lastUsed is bookkeeping: a busy or read-only database must not refuse a valid key.
    }
    return record;
  }

  /**
   * Re-reads a key already authenticated (a long-lived request such as the event stream) and
   * throws the same error a new request would get: revoked, expired, disabled or gone.
   */
  revalidate(keyId: string): KeyRecord {
    const record = this.deps.keys.get(keyId);
    if (!record) throw new AppError('TOKEN_REVOKED', 'The API key no longer exists.');
    this.check(record);
    return record;
  }

  private check(record: KeyRecord): void {
    switch (keyState(record, this.deps.now())) {
      case 'revoked':
        throw new AppError('TOKEN_REVOKED');
      case 'expired':
        throw new AppError('TOKEN_EXPIRED');
      case 'disabled':
        throw new AppError('TOKEN_DISABLED');
      case 'active':
        break;
    }
    for (const check of this.deps.extraChecks ?? []) check(record);
  }
}

export function requirePermission(record: KeyRecord, permission: Permission): void {
  if (!record.permissions.includes(permission)) {
    throw new AppError('INSUFFICIENT_SCOPE', `The API key lacks the ${permission} permission this endpoint needs.`, {
      details: { required: permission },
    });
  }
}

/** A key limited to groups sees only those; another group answers 404 so existence does not leak. */
export function canSeeGroup(record: KeyRecord, groupPath: string): boolean {
  return record.groups.length === 0 || record.groups.includes(groupPath);
}
