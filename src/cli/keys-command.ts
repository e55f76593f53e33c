import type { Config } from '../config/schema.js';
import { openDatabase } from '../db/open-database.js';
import { KeyStore, keyState, type KeyRecord } from '../keys/key-store.js';
import { keyView } from '../keys/key-view.js';
import { ALL_PERMISSIONS, PERMISSIONS } from '../keys/permissions.js';
import { formatTable, printJson, UsageError, type CliIo } from './cli-io.js';

export interface KeysArgs {
  sub: string | undefined;
  id: string | undefined;
  name?: string | undefined;
  description?: string | undefined;
  permissions?: string | undefined;
  groups?: string | undefined;
  expires?: string | undefined;
  olderThan?: string | undefined;
}

const list = (value: string | undefined): string[] | undefined =>
  value === undefined ? undefined : value.split(',').map((item) => item.trim()).filter((item) => item !== '');

function parseAge(value: string): number {
  const match = /^(\d+)\s*(d|h|m)?$/.exec(value.trim());
  if (!match) throw new UsageError(`--older-than takes a number of days (30d), hours (12h) or minutes (90m), got "${value}"`);
  const amount = Number(match[1]);
  const unit = match[2] ?? 'd';
  return amount * (unit === 'd' ? 86_400_000 : unit === 'h' ? 3_600_000 : 60_000);
}

function requireId(args: KeysArgs): string {
  if (!args.id) throw new UsageError(`keys ${args.sub} needs a key id (see keys list)`);
  return args.id;
}

/** keys create | list | edit | disable | enable | revoke | purge | permissions */
export function runKeysCommand(config: Readonly<Config>, args: KeysArgs, io: CliIo): void {
  const now = () => new Date();
  if (args.sub === 'permissions') {
    if (io.json) printJson(io, PERMISSIONS);
    else io.out(formatTable(['permission', 'grants'], ALL_PERMISSIONS.map((p) => [p, PERMISSIONS[p]])));
    return;
  }
  const db = openDatabase({ dataDir: config.dataDir });
  try {
    const store = new KeyStore({ db, now });
    const show = (record: KeyRecord, verb: string): void => {
      if (io.json) printJson(io, keyView(record, now()));
      else io.out(`${verb} ${record.id} (${record.name}): ${keyState(record, now())}`);
    };
    switch (args.sub) {
      case 'create': {
        if (!args.name) throw new UsageError('keys create needs --name');
        const permissions = list(args.permissions);
        if (!permissions || permissions.length === 0) throw new UsageError(`keys create needs --permissions P1,P2 (one or more of: ${ALL_PERMISSIONS.join(', ')})`);
        const { record, key } = store.create({
          name: args.name,
          description: args.description,
          permissions,
          groups: list(args.groups),
          expiresAt: args.expires,
        });
        if (io.json) printJson(io, { ...keyView(record, now()), key });
        else {
          io.out(`Created key ${record.id} (${record.name}) with ${record.permissions.join(', ')}.`);
          io.out(`\n  ${key}\n`);
          io.out('This is the only time the key is shown: store it now. printgate keeps only its SHA-256.');
        }
        return;
      }
      case 'list': {
        const records = store.list();
        if (io.json) printJson(io, records.map((record) => keyView(record, now())));
        else
          io.out(
            formatTable(
              ['id', 'name', 'hint', 'permissions', 'groups', 'state', 'source', 'created', 'lastUsed', 'expires'],
              records.map((r) => [r.id, r.name, r.hint, r.permissions.join(',') || '-', r.groups.join(',') || '*', keyState(r, now()), r.source, r.createdAt, r.lastUsedAt ?? '-', r.expiresAt ?? '-']),
            ),
          );
        return;
      }
      case 'edit': {
        const record = store.edit(requireId(args), {
          name: args.name,
          description: args.description,
          permissions: list(args.permissions),
          groups: list(args.groups),
          expiresAt: args.expires === undefined ? undefined : args.expires === 'never' ? null : args.expires,
        });
        show(record, 'Edited');
        return;
      }
      case 'disable':
        show(store.setDisabled(requireId(args), true), 'Disabled');
        return;
      case 'enable':
        show(store.setDisabled(requireId(args), false), 'Enabled');
        return;
      case 'revoke':
        show(store.revoke(requireId(args)), 'Revoked');
        return;
      case 'purge': {
        if (!args.olderThan) throw new UsageError('keys purge needs --older-than, e.g. 90d');
        const removed = store.purge(new Date(Date.now() - parseAge(args.olderThan)));
        if (io.json) printJson(io, { removed });
        else io.out(`Removed ${removed} revoked or expired key(s).`);
        return;
      }
      default:
        throw new UsageError('keys: use create, list, edit, disable, enable, revoke, purge or permissions');
    }
  } finally {
    db.close();
  }
}
