import type { Request } from 'express';
import { AppError, isAppError } from '../../errors/app-error.js';
import { canSeeGroup, requirePermission, type Authenticator } from '../../keys/authenticator.js';
import type { AuthFailureThrottle } from '../../keys/rate-limiter.js';
import type { DeviceGroup, GroupStore } from '../../printers/group-store.js';
import { clientAddress } from '../auth-middleware.js';

export interface DeviceKeyDeps {
  groups: GroupStore;
  authenticator: Authenticator;
  /** The API's failed-authentication throttle: wrong keys, MACs and tokens on CloudPRNT count too. */
  failures: AuthFailureThrottle;
}

/** The password of HTTP Basic credentials (CloudPRNT printers can send a user name and password), or null. */
export function basicPassword(authorization: string | undefined): string | null {
  const match = /^\s*basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? null : decoded.slice(colon + 1);
}

/** 429 AUTH_THROTTLED for an address that failed too often (checked before anything else is looked up). */
export function refuseThrottled(deps: DeviceKeyDeps, address: string): void {
  const blocked = deps.failures.blockedFor(address);
  if (blocked > 0) throw new AppError('AUTH_THROTTLED', undefined, { headers: { 'Retry-After': String(blocked) } });
}

/** The device key a printer sent: its CloudPRNT HTTP password, else `key=` in its Server URL. */
function presentedKey(req: Request): string | null {
  const password = basicPassword(req.headers.authorization);
  if (password !== null) return password;
  const query = (req.query as Record<string, unknown>).key;
  return typeof query === 'string' ? query : null;
}

/**
 * The group of a CloudPRNT request, before its body is read: an unknown or disabled group is 404.
 * A group with RequireDeviceKey answers only printers that present an API key with PrintToDevice
 * for that group, as the password of their CloudPRNT HTTP authentication or as `key=` in the
 * Server URL. A missing or unknown key counts as a failed authentication of the address.
 */
export function checkDeviceKey(deps: DeviceKeyDeps, req: Request, groupPath: string): DeviceGroup {
  const group = deps.groups.get(groupPath);
  if (!group || !group.enabled) throw new AppError('NOT_FOUND', `no CloudPRNT group "${groupPath.slice(0, 64)}"`);
  if (!group.requireDeviceKey) return group;
  const address = clientAddress(req);
  const key = presentedKey(req);
  if (key === null) {
    deps.failures.recordFailure(address);
    throw new AppError('UNAUTHORIZED', `group "${groupPath}" requires a device key: set it as the CloudPRNT password in the printer's web configuration`, {
      headers: { 'WWW-Authenticate': 'Basic realm="printgate CloudPRNT"' },
    });
  }
  let record;
  try {
    record = deps.authenticator.authenticate({ authorization: `Bearer ${key}` });
  } catch (error) {
    if (isAppError(error) && error.code === 'TOKEN_INVALID') deps.failures.recordFailure(address);
    throw error;
  }
  if (!canSeeGroup(record, groupPath)) throw new AppError('NOT_FOUND', `no CloudPRNT group "${groupPath.slice(0, 64)}"`);
  requirePermission(record, 'PrintToDevice');
  return group;
}
