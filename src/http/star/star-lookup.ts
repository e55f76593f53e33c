import type { Request, Response } from 'express';
import { AppError } from '../../errors/app-error.js';
import { canSeeGroup } from '../../keys/authenticator.js';
import type { DeviceGroup, GroupStore } from '../../printers/group-store.js';
import type { DevicesService } from '../../printers/devices-service.js';
import type { Printer } from '../../printers/printer-registry.js';
import { callerKey } from '../route-spec.js';

/** The group of a Star path; a group the key may not see is 404 like a missing one (no existence leak). */
export function starGroup(groups: GroupStore, req: Request, res: Response): DeviceGroup {
  const path = String(req.params.group);
  const group = canSeeGroup(callerKey(res), path) ? groups.get(path) : null;
  if (!group) throw new AppError('NOT_FOUND', `no device group "${path.slice(0, 64)}"`);
  return group;
}

/** The device of a Star path /v1/a/{group}/d/{appId}, hiding groups the key may not see. */
export function starDevice(devices: DevicesService, req: Request, res: Response): Printer {
  return devices.byAppId(String(req.params.group), String(req.params.appId), callerKey(res));
}
