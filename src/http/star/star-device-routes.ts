import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import type { JobsService } from '../../jobs/jobs-service.js';
import type { DevicesService } from '../../printers/devices-service.js';
import type { GroupStore } from '../../printers/group-store.js';
import type { Printer } from '../../printers/printer-registry.js';
import { readJsonBody } from '../json-body.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';
import { starDevice, starGroup } from './star-lookup.js';
import { deviceView } from './star-views.js';

const updateSchema = z.strictObject({
  RequestIdChange: z.string().trim().min(1).max(100).nullish(),
  RenewPageInfo: z.boolean().nullish(),
  GenerateNewAccessID: z.boolean().nullish(),
});

export interface StarDeviceRoutesDeps {
  devices: DevicesService;
  groups: GroupStore;
  jobs: JobsService;
  log: Logger;
  now: () => Date;
}

/** Star devices: /v1/a/{group}/d and /v1/a/{group}/d/{appId}. */
export function starDeviceRoutes({ devices, groups, jobs, log, now }: StarDeviceRoutesDeps): RouteSpec[] {
  const view = (printer: Printer): Record<string, unknown> => {
    const group = groups.get(printer.groupPath);
    if (!group) throw new AppError('NOT_FOUND', `no device group "${printer.groupPath}"`);
    return deviceView({
      printer,
      name: devices.displayName(printer),
      status: devices.status(printer.id),
      group,
      queuedJobs: jobs.queuedJobs(printer.id),
      now: now(),
    });
  };

  return [
    {
      method: 'get',
      path: '/v1/a/:group/d',
      access: needs('EnumDevices'),
      summary: 'List the devices of a group',
      handler: (req, res) => {
        const group = starGroup(groups, req, res);
        res.json(devices.inGroup(group.matchPath).map(view));
      },
    },
    {
      method: 'get',
      path: '/v1/a/:group/d/:appId',
      access: needs('ViewDevice'),
      summary: 'One device with its 13 status flags and QueuedJobs',
      handler: (req, res) => {
        res.json(view(starDevice(devices, req, res)));
      },
    },
    {
      method: 'put',
      path: '/v1/a/:group/d/:appId',
      access: needs('ModifyDevice'),
      summary: 'Rename a device (RequestIdChange), renew its page info or its AccessIdentifier',
      handler: async (req, res) => {
        const printer = starDevice(devices, req, res);
        const body = await readJsonBody(req, res, updateSchema);
        if (body.GenerateNewAccessID === true && printer.appIdFixed) devices.renewAppId(printer); // throws CONFLICT
        if (typeof body.RequestIdChange === 'string') devices.rename(printer, body.RequestIdChange);
        // RenewPageInfo: page sizes come from the printer's profile and config, read at start; nothing to re-query.
        const appId = body.GenerateNewAccessID === true ? devices.renewAppId(printer).appId : printer.appId;
        res.setHeader('Location', `/v1/a/${printer.groupPath}/d/${appId}`);
        res.status(200).end();
      },
    },
    {
      method: 'delete',
      path: '/v1/a/:group/d/:appId',
      access: needs('DeleteDevice'),
      summary: 'Remove a device (its waiting jobs are canceled)',
      handler: async (req, res) => {
        const printer = starDevice(devices, req, res);
        await devices.remove(printer.id);
        log.info({ printerId: printer.id, keyId: callerKey(res).id }, 'device removed by API');
        res.status(200).end();
      },
    },
  ];
}
