import { AppError } from '../errors/app-error.js';

/** A full disk (or a full database) is a state the client can wait out, not a 500. */
export function storageError(error: unknown): AppError | null {
  const code = (error as { code?: string } | undefined)?.code;
  if (code !== 'SQLITE_FULL' && code !== 'ENOSPC' && code !== 'EDQUOT') return null;
  return new AppError('INSUFFICIENT_STORAGE', undefined, { headers: { 'Retry-After': '30' }, cause: error });
}
