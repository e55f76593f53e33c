/** A reusable, bounded wait that another party can cut short. */
export class Wakeup {
  private pending = false;
  private resolve: (() => void) | null = null;

  /**
   * Resolves on the next notify() (or at once if one came since the last wait), or after `ms`:
   * true when a notify ended the wait, false when the time was up.
   */
  wait(ms: number): Promise<boolean> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(false), ms);
      const self = this;
      function done(notified: boolean): void {
        clearTimeout(timer);
        self.resolve = null;
        resolve(notified);
      }
      this.resolve = () => done(true);
    });
  }

  /** A notify() came since the last wait (the next wait returns at once). */
  get notified(): boolean {
    return this.pending;
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
