import { AppError } from '../errors/app-error.js';
import type { KeyRecord } from './key-store.js';
import type { Permission } from './permissions.js';

/**
 * What a key holding ManageKeys may do to other keys: it cannot hand out more than it holds.
 * A group-limited manager sees only keys limited to its own groups (others are 404, as for
 * devices) and can grant only those groups; no manager can grant a permission it lacks, nor
 * change or revoke a key that holds one.
 */
export function canSeeKey(caller: KeyRecord, target: KeyRecord): boolean {
  if (caller.groups.length === 0) return true;
  return target.groups.length > 0 && target.groups.every((group) => caller.groups.includes(group));
}

/** Throws INSUFFICIENT_SCOPE when the permissions or groups exceed what the caller holds. */
export function assertCanGrant(caller: KeyRecord, permissions: readonly Permission[], groups: readonly string[]): void {
  const missing = permissions.filter((permission) => !caller.permissions.includes(permission));
  if (missing.length > 0) {
    throw new AppError('INSUFFICIENT_SCOPE', `A key cannot grant permissions it does not hold: ${missing.join(', ')}.`, {
      details: { field: 'permissions', missing },
    });
  }
  if (caller.groups.length === 0) return;
  const outside = groups.filter((group) => !caller.groups.includes(group));
  if (groups.length === 0 || outside.length > 0) {
    throw new AppError('INSUFFICIENT_SCOPE', `A key limited to groups ${caller.groups.join(', ')} can only grant keys limited to those groups.`, {
      details: { field: 'groups' },
    });
  }
}

/** A manager may change, disable or revoke only keys it could have created itself. */
export function assertCanManage(caller: KeyRecord, target: KeyRecord): void {
  assertCanGrant(caller, target.permissions, target.groups);
}
