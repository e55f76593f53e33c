import { Readable } from 'node:stream';
import { AppError } from '../../errors/app-error.js';
import type { HttpContext } from '../http-context.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';
import { starDevice } from './star-print-routes.js';

/** Star's queue management next to the print route: flush and welcome page. */
export function starQueueRoutes(ctx: HttpContext): RouteSpec[] {
  return [
    {
      method: 'delete',
      path: '/v1/a/:group/d/:appId/q',
      access: needs('FlushQueue'),
      summary: 'Empty the queue (waiting and held jobs); answers the removed job ids',
      handler: (req, res) => {
        const printer = starDevice(ctx, req, res);
        const removed: string[] = [];
        for (const job of ctx.jobs.listPending(printer.id)) {
          if (ctx.dispatcher.cancel(job.id)) removed.push(job.id);
        }
        ctx.log.info({ printerId: printer.id, jobs: removed.length, keyId: callerKey(res).id }, 'queue flushed');
        res.status(200).json(removed);
      },
    },
    {
      method: 'put',
      path: '/v1/a/:group/d/:appId/welcome',
      access: needs('PrintToDevice'),
      summary: 'Queue a welcome page',
      handler: async (req, res) => {
        const printer = starDevice(ctx, req, res);
        req.resume();
        const accepted = ctx.languageFor(printer).acceptedTypes;
        const contentType = ['text/plain', 'application/octet-stream'].find((type) => accepted.includes(type));
        if (!contentType) {
          throw new AppError('UNSUPPORTED_MEDIA_TYPE', `${printer.id} (${printer.language}) cannot print a text welcome page`, { details: { accepted } });
        }
        const group = ctx.groups.get(printer.groupPath);
        const text = [
          'printgate',
          '',
          `Welcome to ${group?.name ?? printer.groupPath}`,
          `Device: ${ctx.groups.deviceName(printer.id) ?? printer.name}`,
          `AccessIdentifier: ${printer.appId}`,
          `Group path: ${printer.groupPath}`,
          ctx.now().toISOString(),
          '',
          '',
        ].join('\n');
        await ctx.jobService.submit({
          printer,
          contentType,
          body: Readable.from([Buffer.from(text, 'utf8')]),
          options: { name: 'Welcome', copies: 1, preBuzzer: 0, postBuzzer: 0, drawer: 'none' },
          keyId: callerKey(res).id,
        });
        res.status(200).end();
      },
    },
  ];
}
