import type { Logger } from 'pino';

interface Step {
  name: string;
  stop: () => unknown;
}

/**
 * The gateway's start-up as an ordered list of named steps, each with its stop; stop runs them in
 * reverse, once, and a step that fails to stop does not keep the others from stopping.
 */
export class Lifecycle {
  private readonly steps: Step[] = [];
  private stopping: Promise<void> | null = null;

  constructor(private readonly log: Logger) {}

  /** Runs `start`; its result is passed to `stop` when the gateway stops. */
  async start<T>(name: string, start: () => T | Promise<T>, stop: (started: T) => unknown = () => undefined): Promise<T> {
    const began = Date.now();
    const started = await start();
    this.steps.push({ name, stop: () => stop(started) });
    this.log.debug({ step: name, ms: Date.now() - began }, 'started');
    return started;
  }

  /** Something opened before the steps (the database) that must close last. */
  onStop(name: string, stop: () => unknown): void {
    this.steps.push({ name, stop });
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      for (const step of [...this.steps].reverse()) {
        try {
          await step.stop();
        } catch (error) {
          this.log.error({ step: step.name, err: error }, 'stop step failed');
        }
      }
    })();
    return this.stopping;
  }
}
