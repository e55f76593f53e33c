import { randomBytes } from 'node:crypto';

/** A numbered job: its body names its number twice, so a torn or mixed body is seen for what it is. */
export function jobBody(n: number, padBytes = 8 + (n % 50)): Buffer {
  const id = String(n).padStart(4, '0');
  return Buffer.from(`job ${id} ${randomBytes(padBytes).toString('hex')} end ${id}\n`);
}

export interface JobView {
  id: string;
  printerId: string;
  state: string;
  stateReason: string | null;
}

/** Every job the gateway knows, oldest first (the API lists newest first, by queue order). */
export async function allJobs(url: string, key: string): Promise<JobView[]> {
  const jobs: JobView[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? '' : `&cursor=${cursor}`;
    const answer = await fetch(`${url}/api/v1/jobs?limit=200${query}`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(10_000) });
    if (answer.status !== 200) throw new Error(`GET /api/v1/jobs answered ${answer.status}`);
    const page = (await answer.json()) as { data: JobView[]; next: string | null };
    jobs.push(...page.data);
    cursor = page.next;
  } while (cursor !== null);
  return jobs.reverse();
}

export function counts(numbers: readonly number[]): Map<number, number> {
  const seen = new Map<number, number>();
  for (const n of numbers) seen.set(n, (seen.get(n) ?? 0) + 1);
  return seen;
}

/** The order in which numbers first arrived (a reprint repeats a number in place). */
export function firstArrivals(numbers: readonly number[]): number[] {
  return [...new Set(numbers)];
}

export interface BurstOptions {
  /** The gateway's URL now, or null while it is down (restarting). */
  url: () => string | null;
  key: string;
  /** Job numbers to submit. */
  numbers: readonly number[];
  /** The Star print path for job n: /v1/a/{group}/d/{appId}/q */
  pathFor: (n: number) => string;
  clients: number;
  deadlineMs: number;
  body?: (n: number) => Buffer;
  before?: (n: number) => Promise<void>;
  onAccepted?: (accepted: number) => void;
  /** Answers that are a refusal, not a reason to retry (a full disk: 507, or 5xx today). Default: none. */
  refuse?: (status: number) => boolean;
}

export interface BurstResult {
  /** Job number → JobId, for every 201. */
  accepted: Map<number, string>;
  /** Job number → the status of a final refusal. */
  refused: Map<number, number>;
  /** Answers ≥ 500 seen along the way (a request cut by a kill counts as none). */
  serverErrors: number;
}

/**
 * Submits the jobs with `clients` concurrent clients, each with an Idempotency-Key, retrying a
 * request until it gets its 201 (across a crash and restart: the key makes a retry of a request
 * the gateway had already committed a replay, not a second job).
 */
export async function burst(options: BurstOptions): Promise<BurstResult> {
  const accepted = new Map<number, string>();
  const refused = new Map<number, number>();
  let serverErrors = 0;
  const deadline = Date.now() + options.deadlineMs;
  let next = 0;
  const client = async (): Promise<void> => {
    while (next < options.numbers.length) {
      const n = options.numbers[next]!;
      next += 1;
      await options.before?.(n);
      const document = (options.body ?? jobBody)(n);
      for (;;) {
        if (Date.now() > deadline) throw new Error(`job ${n} not accepted within ${options.deadlineMs} ms`);
        const url = options.url();
        if (url === null) {
          await new Promise((resolve) => setTimeout(resolve, 20));
          continue;
        }
        try {
          const answer = await fetch(`${url}${options.pathFor(n)}`, {
            method: 'POST',
            headers: { authorization: `Bearer ${options.key}`, 'content-type': 'application/octet-stream', 'idempotency-key': `chaos-${n}` },
            body: document,
            signal: AbortSignal.timeout(10_000),
          });
          const answerBody = (await answer.json()) as { JobId?: string };
          if (answer.status === 201 && answerBody.JobId) {
            accepted.set(n, answerBody.JobId);
            options.onAccepted?.(accepted.size);
            break;
          }
          if (answer.status >= 500) serverErrors += 1;
          if (options.refuse?.(answer.status)) {
            refused.set(n, answer.status);
            break;
          }
          if (answer.status < 500) throw new Error(`job ${n}: the gateway answered ${answer.status} ${JSON.stringify(answerBody)}`);
        } catch (error) {
          if (error instanceof Error && error.message.startsWith(`job ${n}:`)) throw error;
          // The gateway died under this request: it may or may not have committed it. Retry.
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, client));
  return { accepted, refused, serverErrors };
}
