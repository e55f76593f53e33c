import { describe, expect, it } from 'vitest';
import { assertCanGrant, assertCanManage, canSeeKey } from '../../../src/keys/key-policy.js';
import type { KeyRecord } from '../../../src/keys/key-store.js';
import type { Permission } from '../../../src/keys/permissions.js';

const key = (permissions: Permission[], groups: string[] = []): KeyRecord => ({
  id: 'key_x',
  name: 'x',
  description: '',
  hint: '…abcd',
  permissions,
  groups,
  source: 'local',
  createdAt: '2030-01-01T00:00:00.000Z',
  expiresAt: null,
  disabled: false,
  revokedAt: null,
  lastUsedAt: null,
});

describe('key policy', () => {
  it('an unrestricted manager sees every key; a group-limited one only keys inside its groups', () => {
    expect(canSeeKey(key(['ManageKeys']), key(['ViewJobs'], ['store2']))).toBe(true);
    const limited = key(['ManageKeys'], ['store1', 'store2']);
    expect(canSeeKey(limited, key([], ['store1']))).toBe(true);
    expect(canSeeKey(limited, key([], ['store1', 'store3']))).toBe(false);
    expect(canSeeKey(limited, key([]))).toBe(false);
  });

  it('cannot grant a permission or a group it does not hold', () => {
    expect(() => assertCanGrant(key(['ManageKeys', 'ViewJobs']), ['ViewJobs'], [])).not.toThrow();
    expect(() => assertCanGrant(key(['ManageKeys']), ['ViewJobs'], [])).toThrow(/ViewJobs/);
    expect(() => assertCanGrant(key(['ManageKeys', 'ViewJobs'], ['store1']), ['ViewJobs'], [])).toThrow(/groups/);
    expect(() => assertCanGrant(key(['ManageKeys', 'ViewJobs'], ['store1']), ['ViewJobs'], ['store2'])).toThrow(/groups/);
    expect(() => assertCanGrant(key(['ManageKeys', 'ViewJobs'], ['store1']), ['ViewJobs'], ['store1'])).not.toThrow();
    expect(() => assertCanManage(key(['ManageKeys']), key(['ManageKeys', 'PrintToDevice']))).toThrow(/PrintToDevice/);
  });
});
