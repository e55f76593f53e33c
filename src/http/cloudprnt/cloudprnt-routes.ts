import type { Request } from 'express';
import { z } from 'zod';
import type { CloudPrntHub } from '../../cloudprnt/cloudprnt-hub.js';
import { AppError, isAppError } from '../../errors/app-error.js';
import { clientAddress } from '../auth-middleware.js';
import { PUBLIC, type RouteSpec } from '../route-spec.js';
import { readJsonBody } from '../json-body.js';
import { checkDeviceKey, refuseThrottled, type DeviceKeyDeps } from './device-key.js';

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
  // Newer firmware also sends the job token as a header.
  const header = req.headers['x-star-token'];
  if (query.token === undefined && typeof header === 'string') query.token = header.slice(0, 200);
  return query;
}

/**
 * Star CloudPRNT: the URL a printer's web configuration names as its Server URL,
 * `http://gateway:8631/cloudprnt/{group}`. The routes take no API key in the usual places; a
 * group with RequireDeviceKey (the default for new groups) wants one with PrintToDevice as the
 * printer's CloudPRNT password (or `key=` in the Server URL). A printer is identified by its MAC:
 * only a printer configured as `cloudprnt:<mac>` in that group, or one admitted by
 * AutoCreateDeviceQueue within `cloudprnt.autoCreate` limits, is answered. A job is fetched and
 * confirmed only under the random token its poll answer carried, for that MAC; confirmation is a
 * DELETE (GET with `delete` only where the group is configured for it). Unknown groups, MACs and
 * tokens count as failed authentications of the client address, like bad keys.
 */
export function cloudPrntRoutes(deps: CloudPrntRoutesDeps): RouteSpec[] {
  const { hub } = deps;
  /** Runs a CloudPRNT step: throttled addresses first, then the group's key; a guess counts as a failure. */
  const guarded = <T>(req: Request, step: (group: string) => T | Promise<T>): Promise<T> => {
    const address = clientAddress(req);
    refuseThrottled(deps, address);
    const group = String(req.params.group);
    return (async () => {
      try {
        checkDeviceKey(deps, req, group);
        return await step(group);
      } catch (error) {
        if (isAppError(error) && error.code === 'NOT_FOUND') deps.failures.recordFailure(address);
        throw error;
      }
    })();
  };
  return [
    {
      method: 'post',
      path: '/cloudprnt/:group',
      access: PUBLIC,
      summary: 'CloudPRNT poll: a Star printer reports its status and learns whether a job is ready',
      handler: async (req, res) => {
        const answer = await guarded(req, async (group) => {
          const body = await readJsonBody(req, res, pollSchema);
          return hub.poll(group, body, { address: clientAddress(req) });
        });
        res.json(answer);
      },
    },
    {
      method: 'get',
      path: '/cloudprnt/:group',
      access: PUBLIC,
      summary: 'CloudPRNT job fetch: the announced job (token required) in the media type the printer picked',
      handler: async (req, res) => {
        const query = queryOf(req);
        if ('delete' in (req.query as object)) {
          await guarded(req, (group) => {
            if (hub.deleteMethod(group) !== 'GET') {
              throw new AppError('METHOD_NOT_ALLOWED', `group "${group.slice(0, 64)}" confirms CloudPRNT jobs with DELETE; for firmware that confirms with GET set groups[].cloudprntDeleteMethod: GET`, {
                headers: { Allow: 'POST, GET, DELETE' },
              });
            }
            hub.confirm(group, query);
          });
          res.status(200).end();
          return;
        }
        const job = await guarded(req, (group) => hub.fetch(group, query));
        res.status(200).setHeader('Content-Type', job.mediaType);
        res.setHeader('Cache-Control', 'no-store');
        res.end(Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength));
      },
    },
    {
      method: 'delete',
      path: '/cloudprnt/:group',
      access: PUBLIC,
      summary: 'CloudPRNT job confirmation (token required): the printer reports its result code (2xx printed, 520 retry, others failed)',
      handler: async (req, res) => {
        await guarded(req, (group) => hub.confirm(group, queryOf(req)));
        res.status(200).end();
      },
    },
  ];
}
