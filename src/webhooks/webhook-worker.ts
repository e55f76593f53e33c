import http from 'node:http';
import https from 'node:https';
import type { Logger } from 'pino';
import { backoffDelay } from '../driver-api/backoff.js';
import { Wakeup } from '../jobs/wakeup.js';
import type { OutboxEntry, WebhookOutbox } from './webhook-outbox.js';
import { defaultTargetPolicy, type WebhookTargetPolicy } from './target-policy.js';

export const WEBHOOK_USER_AGENT = 'StarIO_Online/1.0';

export interface WebhookTiming {
  /** One POST may take this long before it counts as failed. */
  timeoutMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
  /** A row still undelivered this long after it was queued is dropped (logged). */
  giveUpAfterMs: number;
}

export const DEFAULT_WEBHOOK_TIMING: WebhookTiming = {
  timeoutMs: 10_000,
  retryInitialMs: 1_000,
  retryMaxMs: 5 * 60_000,
  giveUpAfterMs: 24 * 60 * 60_000,
};

export interface WebhookWorkerDeps {
  outbox: WebhookOutbox;
  log: Logger;
  now: () => Date;
  timing?: Partial<WebhookTiming>;
  random?: () => number;
  /** Checked again at delivery, on the addresses DNS returns (default: no private or own address). */
  targets?: WebhookTargetPolicy;
}

const IDLE_WAIT_MS = 60_000;

/**
 * Delivers the outbox: at most one POST in flight per target (so each target sees its events in
 * order), targets independent of each other, failures retried with capped exponential back-off.
 * It never touches the job engine: a dead or slow receiver only delays its own deliveries.
 */
export class WebhookWorker {
  private readonly wakeup = new Wakeup();
  private readonly timing: WebhookTiming;
  private readonly inFlight = new Map<string, AbortController>();
  private readonly log: Logger;
  private readonly targets: WebhookTargetPolicy;
  private stopping = false;
  private loop: Promise<void> | null = null;
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: WebhookWorkerDeps) {
    this.timing = { ...DEFAULT_WEBHOOK_TIMING, ...deps.timing };
    this.log = deps.log.child({ component: 'webhooks' });
    this.targets = deps.targets ?? defaultTargetPolicy();
  }

  start(): void {
    if (this.loop) return;
    this.deps.outbox.retryAllNow();
    this.unsubscribe = this.deps.outbox.onEnqueue(() => this.wakeup.notify());
    this.loop = this.run().catch((error: unknown) => this.log.fatal({ err: error }, 'webhook worker crashed'));
  }

  /** Stops at once: POSTs in flight are cut off and stay in the outbox for the next start. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    for (const controller of this.inFlight.values()) controller.abort();
    this.wakeup.notify();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const now = this.deps.now().getTime();
      let nextDue = now + IDLE_WAIT_MS;
      for (const entry of this.deps.outbox.heads()) {
        if (this.inFlight.has(entry.targetId)) continue;
        if (entry.nextAttemptAt <= now) this.deliver(entry);
        else nextDue = Math.min(nextDue, entry.nextAttemptAt);
      }
      await this.wakeup.wait(Math.max(10, nextDue - now));
    }
  }

  private deliver(entry: OutboxEntry): void {
    const controller = new AbortController();
    this.inFlight.set(entry.targetId, controller);
    void post(entry, controller.signal, this.timing.timeoutMs, this.targets)
      .then(
        () => {
          if (this.stopping) return;
          this.deps.outbox.delivered(entry.seq);
          this.log.debug({ seq: entry.seq, targetId: entry.targetId, event: entry.event }, 'webhook delivered');
        },
        (error: unknown) => {
          if (this.stopping) return;
          this.failed(entry, error instanceof Error ? error.message : String(error));
        },
      )
      .finally(() => {
        this.inFlight.delete(entry.targetId);
        this.wakeup.notify();
      });
  }

  private failed(entry: OutboxEntry, error: string): void {
    const { retryInitialMs, retryMaxMs, giveUpAfterMs } = this.timing;
    const now = this.deps.now().getTime();
    if (now - Date.parse(entry.createdAt) >= giveUpAfterMs) {
      this.deps.outbox.delivered(entry.seq);
      this.log.warn({ seq: entry.seq, targetId: entry.targetId, event: entry.event, attempts: entry.attempts + 1, err: error }, 'webhook given up');
      return;
    }
    const delay = backoffDelay(entry.attempts, retryInitialMs, retryMaxMs, this.deps.random);
    this.deps.outbox.failed(entry.seq, now + delay, error);
    const fields = { seq: entry.seq, targetId: entry.targetId, event: entry.event, attempts: entry.attempts + 1, retryInMs: delay, err: error };
    // The first failure of a row is worth a warning; the retries that follow are routine.
    if (entry.attempts === 0) this.log.warn(fields, 'webhook delivery failed; will retry');
    else this.log.debug(fields, 'webhook delivery failed again');
  }
}

/**
 * One POST; resolves on 2xx, rejects with a short reason otherwise. Redirects are never followed
 * (a 3xx is a failure), so a receiver cannot send the POST on to an address the policy refuses.
 * The URL never reaches a log (it may hold a secret).
 */
function post(entry: OutboxEntry, signal: AbortSignal, timeoutMs: number, targets: WebhookTargetPolicy): Promise<void> {
  return new Promise((resolve, reject) => {
    let url: URL;
    try {
      url = new URL(entry.url);
      targets.checkLiteralHost(url.hostname);
    } catch (error) {
      reject(new Error(error instanceof TypeError ? 'invalid URL' : (error as Error).message));
      return;
    }
    const body = Buffer.from(entry.body, 'utf8');
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(url, {
      method: 'POST',
      signal,
      timeout: timeoutMs,
      agent: false,
      lookup: targets.lookup as never,
      headers: {
        'Content-Type': 'application/json',
        'Content-Length': String(body.length),
        'User-Agent': WEBHOOK_USER_AGENT,
      },
    });
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('response', (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      response.on('end', () => {
        clearTimeout(timer);
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`));
      });
      response.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new Error(error.code === 'WEBHOOK_TARGET_REFUSED' ? error.message : (error.code ?? error.message)));
    });
    request.end(body);
  });
}
