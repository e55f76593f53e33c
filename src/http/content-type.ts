import type { Request } from 'express';

/** The request's media type without parameters, lower case; '' when absent. */
export function mediaType(req: Request): string {
  const raw = req.headers['content-type'];
  if (typeof raw !== 'string') return '';
  return (raw.split(';')[0] ?? '').trim().toLowerCase();
}
