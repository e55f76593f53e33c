import { describe, expect, it } from 'vitest';
import { ALL_PERMISSIONS, normalizePermissions, PERMISSIONS } from '../../../src/keys/permissions.js';

describe('permission catalogue', () => {
  it('holds the Star names exactly spelled plus printgate’s own', () => {
    expect(ALL_PERMISSIONS).toEqual([
      'ViewDeviceGroups',
      'CreateDeviceGroups',
      'ModifyDeviceGroups',
      'DeleteDeviceGroups',
      'EnumDevices',
      'ViewDevice',
      'ModifyDevice',
      'DeleteDevice',
      'PrintToDevice',
      'FlushQueue',
      'ManageNotifications',
      'ViewJobs',
      'ManageKeys',
      'ViewStatus',
    ]);
    for (const permission of ALL_PERMISSIONS) expect(PERMISSIONS[permission].length).toBeGreaterThan(5);
  });

  it('expands the aliases and returns catalogue order without duplicates', () => {
    expect(normalizePermissions(['jobs:write', 'printers:read', 'jobs:read', 'ViewDevice'])).toEqual({
      permissions: ['EnumDevices', 'ViewDevice', 'PrintToDevice', 'ViewJobs'],
      unknown: [],
    });
    expect(normalizePermissions(['ModifyDeviceGroup']).permissions).toEqual(['ModifyDeviceGroups']);
  });

  it('names unknown and wrongly spelled permissions instead of dropping them', () => {
    expect(normalizePermissions(['printtodevice', 'PrintToDevice', 'toString', '__proto__', 'jobs:admin']).unknown).toEqual([
      'printtodevice',
      'toString',
      '__proto__',
      'jobs:admin',
    ]);
  });
});
