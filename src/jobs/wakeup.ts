/** A reusable, bounded wait that another party can cut short. */
export class Wakeup {
  private pending = false;
  private resolve: (() => void) | null = null;

  /** Resolves on the next notify() (or at once if one came since the last wait), or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.resolve = null;
        resolve();
      }
      this.resolve = done;
    });
  }

  notify(): void {
    if (this.resolve) {
      this.pending = false;
      this.resolve();
    } else {
      this.pending = true;
    }
  }
}

/** Capped exponential back-off with jitter (between half and all of the capped delay). */
export function backoffDelay(attempt: number, initialMs: number, maxMs: number, random: () => number = Math.random): number {
  const capped = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30));
  return Math.round(capped * (0.5 + random() * 0.5));
}
