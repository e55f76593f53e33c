/** The permission catalogue: Star's names, exactly spelled, plus printgate's own. */
export const PERMISSIONS = {
  ViewDeviceGroups: 'List device groups and read one group',
  CreateDeviceGroups: 'Create device groups',
  ModifyDeviceGroups: 'Change a device group',
  DeleteDeviceGroups: 'Delete an empty device group',
  EnumDevices: 'List the devices (printers) of a group, and all printers',
  ViewDevice: 'Read one device (printer)',
  ModifyDevice: 'Rename a device, renew its page info or its AccessIdentifier',
  DeleteDevice: 'Remove a device',
  PrintToDevice: 'Send print jobs and welcome pages',
  FlushQueue: 'Empty a print queue and cancel jobs',
  ManageNotifications: 'Manage webhook targets of a group',
  ViewJobs: 'Read jobs and the event stream',
  ManageKeys: 'Create, list, edit, disable and revoke API keys',
  ViewStatus: 'Read the status page, the printer list of /healthz and /metrics (everything a technician looks at, no secret)',
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

/** Accepted when keys are created or synced; expanded to catalogue names before storing. */
export const PERMISSION_ALIASES: Readonly<Record<string, readonly Permission[]>> = {
  ModifyDeviceGroup: ['ModifyDeviceGroups'],
  'printers:read': ['EnumDevices', 'ViewDevice'],
  'jobs:read': ['ViewJobs'],
  'jobs:write': ['PrintToDevice'],
};

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(PERMISSIONS, value);
}

/**
 * Expands aliases, removes duplicates and returns the catalogue names in catalogue order.
 * Unknown names are returned in `unknown` so the caller can name them in its error.
 */
export function normalizePermissions(names: readonly string[]): { permissions: Permission[]; unknown: string[] } {
  const granted = new Set<Permission>();
  const unknown: string[] = [];
  for (const raw of names) {
    const name = raw.trim();
    if (name === '') continue;
    if (isPermission(name)) granted.add(name);
    else if (Object.hasOwn(PERMISSION_ALIASES, name)) PERMISSION_ALIASES[name]!.forEach((p) => granted.add(p));
    else unknown.push(name);
  }
  return { permissions: ALL_PERMISSIONS.filter((p) => granted.has(p)), unknown };
}
