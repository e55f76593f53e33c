import type { DevicesService } from '../../printers/devices-service.js';
import { IDEMPOTENCY_WINDOW_MS, type JobsService } from '../../jobs/jobs-service.js';
import { printRequest } from '../print-request.js';
import { needs, type RouteSpec } from '../route-spec.js';
import { FirstAnswerMemo } from './first-answer-memo.js';
import { starDevice } from './star-lookup.js';

export interface StarPrintRoutesDeps {
  jobs: JobsService;
  devices: DevicesService;
  now: () => Date;
}

/** Star's print queue: POST …/q queues a document. */
export function starPrintRoutes({ jobs, devices, now }: StarPrintRoutesDeps): RouteSpec[] {
  const firstAnswers = new FirstAnswerMemo({ now, windowMs: IDEMPOTENCY_WINDOW_MS });
  return [
    {
      method: 'post',
      path: '/v1/a/:group/d/:appId/q',
      document: true,
      hot: true,
      access: needs('PrintToDevice'),
      summary: 'Print a document (Star-compatible); answers 201 {JobId, QueuedJobs}',
      handler: async (req, res) => {
        const printer = starDevice(devices, req, res);
        const result = await jobs.submit(printRequest(req, res, printer, 'star'));
        res.setHeader('Location', `/api/v1/jobs/${result.job.id}`);
        let answer: Record<string, unknown> = { JobId: result.job.id, QueuedJobs: result.queuedJobs };
        if (result.replayed) {
          res.setHeader('Idempotent-Replayed', 'true');
          answer = firstAnswers.recall(result.job.id) ?? answer;
        } else if (req.get('idempotency-key') !== undefined) {
          firstAnswers.remember(result.job.id, answer);
        }
        res.status(201).json(answer);
      },
    },
  ];
}
