import type { Language, PreviewResult } from '../../driver-api/index.js';
import { AppError, isAppError } from '../../errors/app-error.js';
import { Spool } from '../../jobs/spool.js';
import { canSeeGroup } from '../../keys/authenticator.js';
import type { HttpContext } from '../http-context.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';

/** A job's document and printer do not change, so a preview may be kept a while by the caller (never by shared caches). */
export const PREVIEW_MAX_AGE_SECONDS = 300;

/** Header values are Latin-1: the warnings go as ASCII, at most this long. */
const MAX_WARNINGS_HEADER = 2000;

function warningsHeader(warnings: readonly string[]): string {
  return warnings.join(' | ').replace(/[^\x20-\x7e]/g, '?').slice(0, MAX_WARNINGS_HEADER);
}

/**
 * GET /api/v1/jobs/{id}/preview.png: one copy of the job drawn as the printer prints it, by the
 * printer's language from the spooled document (the same rendering path as the bytes), as a PNG
 * as wide as the printer's printable width in dots. Raw jobs and languages without a preview → 422.
 */
export function previewRoutes(ctx: HttpContext): RouteSpec[] {
  // Reads documents only; the spool directory is the one main.ts writes to.
  const spool = new Spool(ctx.config.dataDir);
  return [
    {
      method: 'get',
      path: '/api/v1/jobs/:id/preview.png',
      access: needs('ViewJobs'),
      summary: "What the job prints (one copy), drawn as a PNG at the printer's width in dots",
      handler: async (req, res) => {
        const id = String(req.params.id);
        const key = callerKey(res);
        const job = ctx.jobs.get(id);
        const printer = job ? ctx.registry.get(job.printerId) : undefined;
        const visible = job !== null && (printer ? canSeeGroup(key, printer.groupPath) : key.groups.length === 0);
        if (!job || !visible) throw new AppError('NOT_FOUND', `no job ${id.slice(0, 64)}`);
        if (!printer) throw new AppError('NOT_FOUND', `printer ${job.printerId} of job ${job.id} no longer exists; nothing to draw the job for`);
        let language: Language;
        try {
          language = ctx.languageFor(printer);
        } catch (error) {
          throw new AppError('DOCUMENT_FORMAT_ERROR', `no preview: ${(error as Error).message}`);
        }
        if (!language.preview) {
          throw new AppError('DOCUMENT_FORMAT_ERROR', `printer ${printer.id} speaks ${language.name}, which has no preview (escpos, starprnt, starline and zpl have one)`);
        }
        let body: Buffer;
        try {
          body = await spool.read(job.spoolFile);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
          throw new AppError('NOT_FOUND', `the document of job ${job.id} is no longer kept`);
        }
        let preview: PreviewResult;
        try {
          preview = await language.preview({ body, contentType: job.contentType, profile: printer.profile, options: job.options });
        } catch (error) {
          if (isAppError(error)) throw error;
          throw new AppError('DOCUMENT_FORMAT_ERROR', `cannot draw ${job.contentType} as ${language.name}: ${(error as Error).message}`, { cause: error });
        }
        res.setHeader('Content-Type', 'image/png');
        res.setHeader('Cache-Control', `private, max-age=${PREVIEW_MAX_AGE_SECONDS}`);
        if (preview.warnings.length > 0) res.setHeader('Preview-Warnings', warningsHeader(preview.warnings));
        res.status(200).end(Buffer.from(preview.png.buffer, preview.png.byteOffset, preview.png.byteLength));
      },
    },
  ];
}
