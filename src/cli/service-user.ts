import { readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';

/** The system user install.sh creates and the unit runs as. */
export const SERVICE_USER = 'printgate';

/** Whose file access doctor checks: a user, its primary and supplementary groups. */
export interface Identity {
  name: string;
  uid: number;
  gids: number[];
  /** Why this identity: the caller itself, the service user (doctor run as root), or --user. */
  reason: 'self' | 'service user' | 'asked';
}

/** The lines of /etc/passwd or /etc/group, split into fields ([] when it cannot be read). */
function readTable(file: string): string[][] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => line.split(':'));
  } catch {
    return [];
  }
}

function groups(): { name: string; gid: number; members: string[] }[] {
  return readTable('/etc/group').map((f) => ({ name: f[0] ?? '', gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean) }));
}

export function groupName(gid: number): string {
  return groups().find((group) => group.gid === gid)?.name ?? String(gid);
}

/** A user of /etc/passwd as an identity, or null when there is no such user. */
export function identityOf(name: string, reason: Identity['reason']): Identity | null {
  const user = readTable('/etc/passwd').find((fields) => fields[0] === name);
  if (!user) return null;
  const uid = Number(user[2]);
  const gid = Number(user[3]);
  const extra = groups()
    .filter((group) => group.members.includes(name))
    .map((group) => group.gid);
  return { name, uid, gids: [...new Set([gid, ...extra])], reason };
}

/**
 * Whose access doctor checks. `--user NAME` when given; else, run as root where the service user
 * exists, that user (root can open anything, the service cannot: checking as root would pass
 * what the service then fails); else the caller.
 */
export function checkingIdentity(asked: string | undefined): Identity {
  if (asked !== undefined) {
    const identity = identityOf(asked, 'asked');
    if (!identity) throw new Error(`--user ${asked}: no such user in /etc/passwd`);
    return identity;
  }
  const uid = process.getuid?.() ?? -1;
  if (uid === 0) {
    const service = identityOf(SERVICE_USER, 'service user');
    if (service) return service;
  }
  let name = String(uid);
  try {
    name = userInfo().username;
  } catch {
    // a uid without a passwd entry (a container): keep the number
  }
  return { name, uid, gids: process.getgroups?.() ?? [], reason: 'self' };
}

export type AccessMode = 'r' | 'w' | 'rw' | 'rwx' | 'wx';

/** What `identity` may do to `file` by its mode bits (root: anything). Throws ENOENT like stat. */
export function canAccess(identity: Identity, file: string, mode: AccessMode): boolean {
  if (identity.uid === 0) return true;
  const stat = statSync(file);
  const shift = stat.uid === identity.uid ? 6 : identity.gids.includes(stat.gid) ? 3 : 0;
  const bits = (stat.mode >> shift) & 0o7;
  const want = (mode.includes('r') ? 4 : 0) | (mode.includes('w') ? 2 : 0) | (mode.includes('x') ? 1 : 0);
  return (bits & want) === want;
}

/** "user printgate (groups printgate, lp, dialout)" */
export function describeIdentity(identity: Identity): string {
  return `user ${identity.name} (groups ${identity.gids.map(groupName).join(', ') || 'none'})`;
}

export function userName(uid: number): string {
  return readTable('/etc/passwd').find((fields) => Number(fields[2]) === uid)?.[0] ?? String(uid);
}
