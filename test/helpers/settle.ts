import { CatalogueError } from '../../src/errors/catalogue-error.js';

/** The catalogue error (a DriverError, or an AppError of the CloudPRNT hub) a promise rejects with; fails the test if it resolves or rejects otherwise. */
export async function failure(promise: Promise<unknown>): Promise<CatalogueError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CatalogueError) return error;
    throw error;
  }
  throw new Error('expected a DriverError');
}

/** The result of `work`, or a failure naming `what` once `ms` have passed (a bound, not a speed check). */
export async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
