import type { Request } from 'express';
import { AppError, isAppError } from '../../errors/app-error.js';
import { canSeeGroup, requirePermission, type Authenticator } from '../../keys/authenticator.js';
import type { AuthFailureThrottle } from '../../keys/rate-limiter.js';
import type { GroupStore } from '../../printers/group-store.js';
import { clientAddress } from '../auth-middleware.js';

export interface DeviceKeyDeps {
  groups: GroupStore;
  authenticator: Authenticator;
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

/**
 * A group with RequireDeviceKey answers only printers that present, as the password of their
 * CloudPRNT HTTP authentication, an API key with PrintToDevice for that group. Other groups need
 * no key: the printer is identified by its MAC. Throws the usual 401/403/429 errors.
 */
export function checkDeviceKey(deps: DeviceKeyDeps, req: Request, groupPath: string): void {
  const group = deps.groups.get(groupPath);
  if (!group?.requireDeviceKey) return;
  const address = clientAddress(req);
  const blocked = deps.failures.blockedFor(address);
  if (blocked > 0) throw new AppError('AUTH_THROTTLED', undefined, { headers: { 'Retry-After': String(blocked) } });
  const password = basicPassword(req.headers.authorization);
  if (password === null) {
    throw new AppError('UNAUTHORIZED', `group "${groupPath}" requires a device key: set it as the CloudPRNT password in the printer's web configuration`, {
      headers: { 'WWW-Authenticate': 'Basic realm="printgate CloudPRNT"' },
    });
  }
  let record;
  try {
    record = deps.authenticator.authenticate({ authorization: `Bearer ${password}` });
  } catch (error) {
    if (isAppError(error) && error.code === 'TOKEN_INVALID') deps.failures.recordFailure(address);
    throw error;
  }
  if (!canSeeGroup(record, groupPath)) throw new AppError('NOT_FOUND', `no CloudPRNT group "${groupPath.slice(0, 64)}"`);
  requirePermission(record, 'PrintToDevice');
}
