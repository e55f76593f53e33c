import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { slugify, type Printer } from '../../printers/printer-registry.js';
import { deviceEnvelope } from '../../webhooks/webhook-events.js';
import { starStatus } from '../../webhooks/star-status.js';
import type { HttpContext } from '../http-context.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';
import { readJsonBody } from './json-body.js';
import { starGroup } from './star-lookup.js';
import { starDevice } from './star-print-routes.js';
import { deviceView } from './star-views.js';

const updateSchema = z.strictObject({
  RequestIdChange: z.string().trim().min(1).max(100).nullish(),
  RenewPageInfo: z.boolean().nullish(),
  GenerateNewAccessID: z.boolean().nullish(),
});

/** Star devices: /v1/a/{group}/d and /v1/a/{group}/d/{appId}. */
export function starDeviceRoutes(ctx: HttpContext): RouteSpec[] {
  const view = (printer: Printer): Record<string, unknown> => {
    const group = ctx.groups.get(printer.groupPath);
    if (!group) throw new AppError('NOT_FOUND', `no device group "${printer.groupPath}"`);
    return deviceView({
      printer,
      status: ctx.registry.status(printer.id),
      group,
      groups: ctx.groups,
      queuedJobs: ctx.jobs.countQueued(printer.id),
      now: ctx.now(),
    });
  };
  const fixedAppId = (printer: Printer): string | undefined =>
    printer.source === 'config' ? ctx.config.printers.find((configured) => slugify(configured.name) === printer.id)?.appId : undefined;

  return [
    {
      method: 'get',
      path: '/v1/a/:group/d',
      access: needs('EnumDevices'),
      summary: 'List the devices of a group',
      handler: (req, res) => {
        const group = starGroup(ctx, req, res);
        res.json(ctx.registry.inGroup(group.matchPath).map(view));
      },
    },
    {
      method: 'get',
      path: '/v1/a/:group/d/:appId',
      access: needs('ViewDevice'),
      summary: 'One device with its 13 status flags and QueuedJobs',
      handler: (req, res) => {
        res.json(view(starDevice(ctx, req, res)));
      },
    },
    {
      method: 'put',
      path: '/v1/a/:group/d/:appId',
      access: needs('ModifyDevice'),
      summary: 'Rename a device (RequestIdChange), renew its page info or its AccessIdentifier',
      handler: async (req, res) => {
        const printer = starDevice(ctx, req, res);
        const body = await readJsonBody(req, res, updateSchema);
        if (body.GenerateNewAccessID === true && fixedAppId(printer) !== undefined) {
          throw new AppError('CONFLICT', `the AccessIdentifier of ${printer.id} is fixed by the config (printers[].appId); change it there`, {
            details: { field: 'GenerateNewAccessID' },
          });
        }
        if (typeof body.RequestIdChange === 'string') ctx.groups.setDeviceName(printer.id, body.RequestIdChange);
        // RenewPageInfo: page sizes come from the printer's profile and config, read at start; nothing to re-query.
        let appId = printer.appId;
        if (body.GenerateNewAccessID === true) {
          appId = ctx.registry.renewAppId(printer.id)?.appId ?? appId;
          ctx.log.info({ printerId: printer.id, keyId: callerKey(res).id }, 'device AccessIdentifier renewed');
        }
        res.setHeader('Location', `/v1/a/${printer.groupPath}/d/${appId}`);
        res.status(200).end();
      },
    },
    {
      method: 'delete',
      path: '/v1/a/:group/d/:appId',
      access: needs('DeleteDevice'),
      summary: 'Remove a device (its waiting jobs are canceled)',
      handler: (req, res) => {
        const printer = starDevice(ctx, req, res);
        const status = ctx.registry.status(printer.id);
        for (const job of ctx.jobs.listPending(printer.id)) ctx.dispatcher.cancel(job.id);
        ctx.registry.remove(printer.id);
        ctx.webhooks.enqueue(printer.groupPath, deviceEnvelope(ctx.groups, printer, 'connection', 'deleted_complete', { Status: starStatus(status) }));
        ctx.log.info({ printerId: printer.id, keyId: callerKey(res).id }, 'device removed');
        res.status(200).end();
      },
    },
  ];
}
