/** One remembered answer and when it was given (ms since the epoch). */
interface Remembered {
  body: Record<string, unknown>;
  at: number;
}

export interface FirstAnswerMemoDeps {
  now: () => Date;
  /** How long an answer is worth replaying (the Idempotency-Key window). */
  windowMs: number;
  /** Answers kept at most; the oldest go first. */
  capacity?: number;
}

/**
 * The exact first answer to an idempotent print, by job id, so a retry under the same
 * Idempotency-Key gets the same body (QueuedJobs as it was then), not a recount. Bounded and in
 * memory: after a restart a retry still gets the same JobId, with the queue as it is now.
 */
export class FirstAnswerMemo {
  private readonly answers = new Map<string, Remembered>();
  private readonly capacity: number;

  constructor(private readonly deps: FirstAnswerMemoDeps) {
    this.capacity = deps.capacity ?? 10_000;
  }

  remember(jobId: string, body: Record<string, unknown>): void {
    this.answers.delete(jobId);
    this.answers.set(jobId, { body, at: this.deps.now().getTime() });
    while (this.answers.size > this.capacity) {
      const oldest = this.answers.keys().next().value;
      if (oldest === undefined) break;
      this.answers.delete(oldest);
    }
  }

  recall(jobId: string): Record<string, unknown> | undefined {
    const found = this.answers.get(jobId);
    if (!found) return undefined;
    if (this.deps.now().getTime() - found.at > this.deps.windowMs) {
      this.answers.delete(jobId);
      return undefined;
    }
    return found.body;
  }
}
