import type { Config } from '../config/schema.js';
import { openDatabase } from '../db/open-database.js';
import { GroupStore, type DeviceGroup, type DeviceGroupChange } from '../printers/group-store.js';
import { formatTable, printJson, UsageError, type CliIo } from './cli-io.js';

export interface GroupsArgs {
  sub: string | undefined;
  group: string | undefined;
  requireDeviceKey?: string | undefined;
  autoCreate?: string | undefined;
  enabled?: string | undefined;
}

function onOff(option: string, value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === 'on' || value === 'true') return true;
  if (value === 'off' || value === 'false') return false;
  throw new UsageError(`${option} takes on or off, got "${value}"`);
}

const view = (group: DeviceGroup): Record<string, unknown> => ({
  path: group.matchPath,
  name: group.name,
  enabled: group.enabled,
  requireDeviceKey: group.requireDeviceKey,
  autoCreateDeviceQueue: group.autoCreateQueue,
});

/**
 * groups list | groups set GROUP [--require-device-key on|off] [--auto-create on|off] [--enabled on|off].
 * Writes the database directly, like `keys`; a running gateway reads group settings at each
 * CloudPRNT request, so the change applies at once (a `groups:` entry in the config wins at the next start).
 */
export function runGroupsCommand(config: Readonly<Config>, args: GroupsArgs, io: CliIo): void {
  const db = openDatabase({ dataDir: config.dataDir });
  try {
    const store = new GroupStore({ db, now: () => new Date() });
    switch (args.sub) {
      case 'list': {
        const groups = store.list();
        if (io.json) printJson(io, groups.map(view));
        else {
          const flag = (value: boolean): string => (value ? 'on' : 'off');
          io.out(formatTable(['path', 'name', 'enabled', 'requireDeviceKey', 'autoCreate'], groups.map((g) => [g.matchPath, g.name, flag(g.enabled), flag(g.requireDeviceKey), flag(g.autoCreateQueue)])));
        }
        return;
      }
      case 'set': {
        if (!args.group) throw new UsageError('groups set needs a group (its MatchPath), e.g. groups set store1 --require-device-key on');
        const change: DeviceGroupChange = {
          requireDeviceKey: onOff('--require-device-key', args.requireDeviceKey),
          autoCreateQueue: onOff('--auto-create', args.autoCreate),
          enabled: onOff('--enabled', args.enabled),
        };
        if (Object.values(change).every((value) => value === undefined)) {
          throw new UsageError('groups set needs --require-device-key on|off, --auto-create on|off or --enabled on|off');
        }
        const updated = store.get(args.group) ? store.update(args.group, change) : null;
        if (!updated) throw new UsageError(`no device group "${args.group}" (see groups list; groups are made by the config, the API or a configured printer)`);
        if (io.json) printJson(io, view(updated));
        else io.out(`Group ${updated.matchPath}: requireDeviceKey ${updated.requireDeviceKey ? 'on' : 'off'}, autoCreate ${updated.autoCreateQueue ? 'on' : 'off'}, enabled ${updated.enabled ? 'on' : 'off'}.`);
        if (config.groups.some((group) => group.path === updated.matchPath)) {
          io.err(`note: groups[] in the config also sets "${updated.matchPath}"; its fields win at the next start`);
        }
        return;
      }
      default:
        throw new UsageError('groups: use list, or set GROUP --require-device-key on|off');
    }
  } finally {
    db.close();
  }
}
