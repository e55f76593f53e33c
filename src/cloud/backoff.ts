/**
 * Capped exponential back-off with jitter: attempt 0 waits about initialMs, each further attempt
 * doubles up to maxMs; the wait is drawn from [half, full] of that so gateways do not reconnect
 * in step after a cloud outage.
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
