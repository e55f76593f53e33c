import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { canSeeGroup } from '../../keys/authenticator.js';
import type { Logger } from 'pino';
import type { DevicesService } from '../../printers/devices-service.js';
import type { DeviceGroupChange, GroupStore } from '../../printers/group-store.js';
import type { NotificationStore } from '../../webhooks/notification-store.js';
import { readJsonBody } from '../json-body.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';
import { starGroup } from './star-lookup.js';
import { groupDetailView, groupListView } from './star-views.js';

export const MATCH_PATH = /^[a-z0-9_-]{1,64}$/;

/** Star's PUT fields: each optional, null = unchanged. */
const settings = {
  Name: z.string().trim().min(1).max(100).nullish(),
  AutoCreateDeviceQueue: z.boolean().nullish(),
  ContactEMail: z.string().max(200).nullish(),
  ContactName: z.string().max(200).nullish(),
  AutoBuzzBeforePrint: z.int().min(0).max(3).nullish(),
  AutoBuzzAfterPrint: z.int().min(0).max(3).nullish(),
  Copies: z.int().min(1).max(10).nullish(),
  AutoClaimBCR: z.boolean().nullish(),
};

const updateSchema = z.strictObject(settings);
const createSchema = z.strictObject({
  ...settings,
  Name: z.string().trim().min(1).max(100),
  MatchPath: z.string().regex(MATCH_PATH, 'must be 1-64 lowercase letters, digits, "-" or "_"'),
  Enabled: z.boolean().nullish(),
  RequireDeviceKey: z.boolean().nullish(),
});

function toChange(body: z.infer<typeof updateSchema> & { Enabled?: boolean | null; RequireDeviceKey?: boolean | null }): DeviceGroupChange {
  const v = <T>(value: T | null | undefined): T | undefined => (value === null ? undefined : value);
  return {
    name: v(body.Name),
    autoCreateQueue: v(body.AutoCreateDeviceQueue),
    contactEmail: v(body.ContactEMail),
    contactName: v(body.ContactName),
    autoBuzzBefore: v(body.AutoBuzzBeforePrint),
    autoBuzzAfter: v(body.AutoBuzzAfterPrint),
    copies: v(body.Copies),
    autoClaimBcr: v(body.AutoClaimBCR),
    enabled: v(body.Enabled),
    requireDeviceKey: v(body.RequireDeviceKey),
  };
}

function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY';
}

export interface StarGroupRoutesDeps {
  groups: GroupStore;
  devices: DevicesService;
  notifications: NotificationStore;
  log: Logger;
}

/** Star device groups: /v1/a and /v1/a/{group}. */
export function starGroupRoutes({ groups, devices, notifications, log }: StarGroupRoutesDeps): RouteSpec[] {
  const deviceCount = (path: string): number => devices.inGroup(path).length;
  return [
    {
      method: 'get',
      path: '/v1/a',
      access: needs('ViewDeviceGroups'),
      summary: 'List device groups (Star-compatible)',
      handler: (_req, res) => {
        const key = callerKey(res);
        const visible = groups.list().filter((group) => canSeeGroup(key, group.matchPath));
        res.json(visible.map((group) => groupListView(group, deviceCount(group.matchPath))));
      },
    },
    {
      method: 'post',
      path: '/v1/a',
      access: needs('CreateDeviceGroups'),
      summary: 'Create a device group; 409 if the MatchPath exists',
      handler: async (req, res) => {
        const body = await readJsonBody(req, res, createSchema);
        if (!canSeeGroup(callerKey(res), body.MatchPath)) {
          throw new AppError('INSUFFICIENT_SCOPE', 'This API key is limited to other device groups.', { details: { field: 'MatchPath' } });
        }
        const group = groups.create({ ...toChange(body), matchPath: body.MatchPath, name: body.Name });
        if (!group) throw new AppError('CONFLICT', `a device group with MatchPath "${body.MatchPath}" exists already`, { details: { field: 'MatchPath' } });
        log.info({ group: group.matchPath, keyId: callerKey(res).id }, 'device group created');
        res.setHeader('Location', `/v1/a/${group.matchPath}`);
        res.status(201).json(groupDetailView(group, 0));
      },
    },
    {
      method: 'get',
      path: '/v1/a/:group',
      access: needs('ViewDeviceGroups'),
      summary: 'One device group with its settings',
      handler: (req, res) => {
        const group = starGroup(groups, req, res);
        res.json(groupDetailView(group, deviceCount(group.matchPath)));
      },
    },
    {
      method: 'put',
      path: '/v1/a/:group',
      access: needs('ModifyDeviceGroups'),
      summary: 'Change group settings; absent or null fields stay unchanged',
      handler: async (req, res) => {
        const group = starGroup(groups, req, res);
        const body = await readJsonBody(req, res, updateSchema);
        groups.update(group.matchPath, toChange(body));
        res.status(200).end();
      },
    },
    {
      method: 'delete',
      path: '/v1/a/:group',
      access: needs('DeleteDeviceGroups'),
      summary: 'Delete an empty device group; 409 while devices remain',
      handler: (req, res) => {
        const group = starGroup(groups, req, res);
        const members = devices.inGroup(group.matchPath);
        const conflict = (): AppError =>
          new AppError('CONFLICT', `device group "${group.matchPath}" still has devices; delete them (and remove them from the config) first`, {
            details: { devices: members.map((printer) => printer.appId) },
          });
        if (members.length > 0) throw conflict();
        try {
          groups.remove(group.matchPath);
          notifications.removeGroup(group.matchPath);
        } catch (error) {
          // A printer of the config file still names this group (it returns at the next start).
          if (isForeignKeyViolation(error)) throw conflict();
          throw error;
        }
        log.info({ group: group.matchPath, keyId: callerKey(res).id }, 'device group deleted');
        res.status(200).end();
      },
    },
  ];
}
