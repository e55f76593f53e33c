import type { Request } from 'express';
import { z } from 'zod';
import type { CloudPrntHub } from '../../cloudprnt/cloudprnt-hub.js';
import { PUBLIC, type RouteSpec } from '../route-spec.js';
import { readJsonBody } from '../json-body.js';
import { checkDeviceKey, type DeviceKeyDeps } from './device-key.js';

export interface CloudPrntRoutesDeps extends DeviceKeyDeps {
  hub: CloudPrntHub;
}

/** A poll body: Star documents more fields (barcodeReader, display, …); printgate reads these and ignores the rest. */
const pollSchema = z.looseObject({
  printerMAC: z.string().max(64).nullish(),
  statusCode: z.string().max(200).nullish(),
  status: z.string().max(200).nullish(),
  printingInProgress: z.boolean().nullish(),
  jobToken: z.string().max(200).nullish(),
  clientAction: z.array(z.unknown()).max(64).nullish(),
});

function queryOf(req: Request): Record<string, string | undefined> {
  const query: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.query as Record<string, unknown>)) {
    if (typeof value === 'string') query[name] = value.slice(0, 200);
  }
  return query;
}

/**
 * Star CloudPRNT: the URL a printer's web configuration names as its Server URL,
 * `http://gateway:8631/cloudprnt/{group}`. The routes are PUBLIC because a printer cannot send an
 * API key: it is identified by its MAC, and only a printer configured as `cloudprnt:<mac>` in that
 * group — or any printer, in a group with AutoCreateDeviceQueue (and without RequireDeviceKey) —
 * is answered. A group with RequireDeviceKey also wants an API key (PrintToDevice) as the printer's
 * HTTP Basic password. A printer can only fetch and close the job the gateway offered it, under a
 * random per-job token; nothing here creates a job or tells anything about other printers.
 */
export function cloudPrntRoutes(deps: CloudPrntRoutesDeps): RouteSpec[] {
  const { hub } = deps;
  return [
    {
      method: 'post',
      path: '/cloudprnt/:group',
      access: PUBLIC,
      summary: 'CloudPRNT poll: a Star printer reports its status and learns whether a job is ready',
      handler: async (req, res) => {
        const group = String(req.params.group);
        checkDeviceKey(deps, req, group);
        const body = await readJsonBody(req, res, pollSchema);
        res.json(hub.poll(group, body));
      },
    },
    {
      method: 'get',
      path: '/cloudprnt/:group',
      access: PUBLIC,
      summary: 'CloudPRNT job fetch: the announced job in the media type the printer picked (or, with "delete", its confirmation)',
      handler: (req, res) => {
        const query = queryOf(req);
        const group = String(req.params.group);
        checkDeviceKey(deps, req, group);
        if ('delete' in (req.query as object)) {
          hub.confirm(group, query);
          res.status(200).end();
          return;
        }
        const job = hub.fetch(group, query);
        res.status(200).setHeader('Content-Type', job.mediaType);
        res.setHeader('Cache-Control', 'no-store');
        res.end(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength));
      },
    },
    {
      method: 'delete',
      path: '/cloudprnt/:group',
      access: PUBLIC,
      summary: 'CloudPRNT job confirmation: the printer reports its result code (2xx printed, 520 retry, others failed)',
      handler: (req, res) => {
        const group = String(req.params.group);
        checkDeviceKey(deps, req, group);
        hub.confirm(group, queryOf(req));
        res.status(200).end();
      },
    },
  ];
}
