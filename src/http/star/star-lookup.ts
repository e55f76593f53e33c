import type { Request, Response } from 'express';
import { AppError } from '../../errors/app-error.js';
import { canSeeGroup } from '../../keys/authenticator.js';
import type { DeviceGroup } from '../../printers/group-store.js';
import type { HttpContext } from '../http-context.js';
import { callerKey } from '../route-spec.js';

/** The group of a Star path; a group the key may not see is 404 like a missing one (no existence leak). */
export function starGroup(ctx: HttpContext, req: Request, res: Response): DeviceGroup {
  const path = String(req.params.group);
  const group = canSeeGroup(callerKey(res), path) ? ctx.groups.get(path) : null;
  if (!group) throw new AppError('NOT_FOUND', `no device group "${path.slice(0, 64)}"`);
  return group;
}
