import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { AppError } from '../../errors/app-error.js';
import type { JobsService } from '../../jobs/jobs-service.js';
import type { DevicesService } from '../../printers/devices-service.js';
import type { GroupStore } from '../../printers/group-store.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';
import { starDevice } from './star-lookup.js';

export interface StarQueueRoutesDeps {
  jobs: JobsService;
  devices: DevicesService;
  groups: GroupStore;
  log: Logger;
  now: () => Date;
}

/** A welcome page is one plain copy whatever the group's defaults (copies, buzzers). */
const WELCOME_OPTIONS: Readonly<Record<string, string>> = {
  'star-job-name': 'Welcome',
  'star-copies': '1',
  'star-pre-buzzer': '0',
  'star-post-buzzer': '0',
  'star-cash-drawer': 'none',
};

/** Star's queue management next to the print route: flush and welcome page. */
export function starQueueRoutes({ jobs, devices, groups, log, now }: StarQueueRoutesDeps): RouteSpec[] {
  return [
    {
      method: 'delete',
      path: '/v1/a/:group/d/:appId/q',
      access: needs('FlushQueue'),
      summary: 'Empty the queue (waiting and held jobs); answers the removed job ids',
      handler: (req, res) => {
        const printer = starDevice(devices, req, res);
        const removed = jobs.flush(printer.id);
        log.info({ printerId: printer.id, jobs: removed.length, keyId: callerKey(res).id }, 'queue flushed');
        res.status(200).json(removed);
      },
    },
    {
      method: 'put',
      path: '/v1/a/:group/d/:appId/welcome',
      access: needs('PrintToDevice'),
      summary: 'Queue a welcome page',
      handler: async (req, res) => {
        const printer = starDevice(devices, req, res);
        req.resume();
        const accepted = jobs.languageOf(printer).acceptedTypes;
        const contentType = ['text/plain', 'application/octet-stream'].find((type) => accepted.includes(type));
        if (!contentType) {
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', `${printer.id} (${printer.language}) cannot print a text welcome page`, { details: { accepted } });
        }
        const group = groups.get(printer.groupPath);
        const text = [
          'printgate',
          '',
          `Welcome to ${group?.name ?? printer.groupPath}`,
          `Device: ${devices.displayName(printer)}`,
          `AccessIdentifier: ${printer.appId}`,
          `Group path: ${printer.groupPath}`,
          now().toISOString(),
          '',
          '',
        ].join('\n');
        await jobs.submit({
          printer,
          contentType,
          body: Readable.from([Buffer.from(text, 'utf8')]),
          options: { header: (name) => WELCOME_OPTIONS[name], query: () => undefined },
          keyId: callerKey(res).id,
          source: 'welcome',
        });
        res.status(200).end();
      },
    },
  ];
}
