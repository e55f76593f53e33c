/**
 * The one back-off: attempt 0 waits about `initialMs`, each further attempt doubles up to `maxMs`,
 * and the wait is drawn from [half, all] of that so gateways, printers and receivers that failed
 * together do not retry in step.
 */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const capped = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(capped * (0.5 + random() * 0.5));
}
