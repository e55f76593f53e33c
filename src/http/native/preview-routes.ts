import type { JobsService } from '../../jobs/jobs-service.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';

/** A job's document and printer do not change, so a preview may be kept a while by the caller (never by shared caches). */
export const PREVIEW_MAX_AGE_SECONDS = 300;

/** Header values are Latin-1: the warnings go as ASCII, at most this long. */
const MAX_WARNINGS_HEADER = 2000;

function warningsHeader(warnings: readonly string[]): string {
  return warnings.join(' | ').replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_WARNINGS_HEADER);
}

export interface PreviewRoutesDeps {
  jobs: JobsService;
}

/**
 * GET /api/v1/jobs/{id}/preview.png: one copy of the job drawn as the printer prints it, by the
 * printer's language from the spooled document (the same rendering path as the bytes), as a PNG
 * as wide as the printer's printable width in dots. Raw jobs and languages without a preview → 422.
 */
export function previewRoutes({ jobs }: PreviewRoutesDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/api/v1/jobs/:id/preview.png',
      access: needs('ViewJobs'),
      summary: "What the job prints (one copy), drawn as a PNG at the printer's width in dots",
      handler: async (req, res) => {
        const preview = await jobs.preview(String(req.params.id), callerKey(res));
        res.setHeader('Content-Type', 'image/png');
        res.setHeader('Cache-Control', `private, max-age=${PREVIEW_MAX_AGE_SECONDS}`);
        if (preview.warnings.length > 0) res.setHeader('Preview-Warnings', warningsHeader(preview.warnings));
        res.status(200).end(Buffer.from(preview.png.buffer, preview.png.byteOffset, preview.png.byteLength));
      },
    },
  ];
}
