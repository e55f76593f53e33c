import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { WEBHOOK_EVENT_TYPES } from '../../webhooks/notification-store.js';
import { isWebhookUrl } from '../../webhooks/star-envelope.js';
import type { Logger } from 'pino';
import type { GroupStore } from '../../printers/group-store.js';
import type { NotificationStore } from '../../webhooks/notification-store.js';
import type { WebhookOutbox } from '../../webhooks/webhook-outbox.js';
import { readJsonBody } from '../json-body.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';
import { starGroup } from './star-lookup.js';
import { targetView } from './star-views.js';

const url = z
  .string()
  .max(2000)
  .refine(isWebhookUrl, 'must be an absolute http:// or https:// URL (placeholders {event} {sub} {path} {name} {appid} {mac} allowed)');
const fields = {
  Name: z.string().trim().max(100).nullish(),
  Url: url.nullish(),
  Enabled: z.boolean().nullish(),
  Events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).max(WEBHOOK_EVENT_TYPES.length).nullish(),
};
const createSchema = z.strictObject({ ...fields, Url: url });
const updateSchema = z.strictObject(fields);

export interface StarNotificationRoutesDeps {
  groups: GroupStore;
  notifications: NotificationStore;
  webhooks: WebhookOutbox;
  log: Logger;
}

/** Star's webhook targets of a group: /v1/a/{group}/n… */
export function starNotificationRoutes({ groups, notifications, webhooks, log }: StarNotificationRoutesDeps): RouteSpec[] {
  const target = (groupPath: string, id: string) => {
    const found = notifications.get(groupPath, id);
    if (!found) throw new AppError('NOT_FOUND', `no notification target "${id.slice(0, 64)}" in group "${groupPath}"`);
    return found;
  };
  return [
    {
      method: 'get',
      path: '/v1/a/:group/n',
      access: needs('ManageNotifications'),
      summary: 'List the webhook targets of a group',
      handler: (req, res) => {
        const group = starGroup(groups, req, res);
        res.json(notifications.list(group.matchPath).map(targetView));
      },
    },
    {
      method: 'post',
      path: '/v1/a/:group/n',
      access: needs('ManageNotifications'),
      summary: 'Add a webhook target {Name, Url, Enabled, Events}',
      handler: async (req, res) => {
        const group = starGroup(groups, req, res);
        const body = await readJsonBody(req, res, createSchema);
        const created = notifications.create(group.matchPath, {
          name: body.Name ?? '',
          url: body.Url,
          enabled: body.Enabled ?? true,
          events: [...new Set(body.Events ?? WEBHOOK_EVENT_TYPES)],
        });
        log.info({ group: group.matchPath, targetId: created.id, keyId: callerKey(res).id }, 'webhook target added');
        res.setHeader('Location', `/v1/a/${group.matchPath}/n/${created.id}`);
        res.status(201).json(targetView(created));
      },
    },
    {
      method: 'get',
      path: '/v1/a/:group/n/test/:id',
      access: needs('ManageNotifications'),
      summary: 'Send a test event (test/sub_test) to one target, even a disabled one',
      handler: (req, res) => {
        const group = starGroup(groups, req, res);
        const found = target(group.matchPath, String(req.params.id));
        webhooks.enqueueTest(group.matchPath, found.id, {
          EventType: 'test',
          SubType: 'sub_test',
          DeviceGroup: { Path: group.matchPath, Name: group.name },
          Device: { Mac: '000000000000', Name: 'Test Name', AppID: '00000000' },
        });
        res.status(200).end();
      },
    },
    {
      method: 'get',
      path: '/v1/a/:group/n/:id',
      access: needs('ManageNotifications'),
      summary: 'One webhook target',
      handler: (req, res) => {
        const group = starGroup(groups, req, res);
        res.json(targetView(target(group.matchPath, String(req.params.id))));
      },
    },
    {
      method: 'put',
      path: '/v1/a/:group/n/:id',
      access: needs('ManageNotifications'),
      summary: 'Change a webhook target; absent or null fields stay unchanged',
      handler: async (req, res) => {
        const group = starGroup(groups, req, res);
        const found = target(group.matchPath, String(req.params.id));
        const body = await readJsonBody(req, res, updateSchema);
        notifications.update(group.matchPath, found.id, {
          name: body.Name ?? undefined,
          url: body.Url ?? undefined,
          enabled: body.Enabled ?? undefined,
          events: body.Events ? [...new Set(body.Events)] : undefined,
        });
        res.status(200).end();
      },
    },
    {
      method: 'delete',
      path: '/v1/a/:group/n/:id',
      access: needs('ManageNotifications'),
      summary: 'Remove a webhook target and its undelivered events',
      handler: (req, res) => {
        const group = starGroup(groups, req, res);
        const found = target(group.matchPath, String(req.params.id));
        notifications.remove(group.matchPath, found.id);
        res.status(200).end();
      },
    },
  ];
}
