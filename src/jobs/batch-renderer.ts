import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Language, RenderResult } from '../driver-api/index.js';
import { isCatalogueError, renderBudget } from '../driver-api/index.js';
import type { Printer } from '../printers/printer-registry.js';
import type { JobState } from './job-states.js';
import type { Job, JobStore, TransitionChange } from './job-store.js';
import { readDocument } from './read-document.js';
import type { Renderer } from './renderer.js';
import type { Spool } from './spool.js';
import { storageError } from './storage-error.js';
import { decideFailure } from './worker-decisions.js';

/** A job of a batch with the bytes its printer gets. */
export interface Item {
  job: Job;
  rendered: RenderResult;
}

/** At most about this many bytes go to a printer in one batch. */
const MAX_BATCH_BYTES = 2 * 1024 * 1024;
/** Rendering started this often without finishing (the gateway died each time): the job is not tried again. */
const MAX_RENDER_STARTS = 3;
/** Documents of a batch sent to the renderer before the first of them is back. */
const RENDER_AHEAD = 8;
/** …and at most this many bytes of documents (a second one is not sent beside a large one). */
const AHEAD_BYTES = 1024 * 1024;

type RenderOutcome = { rendered: RenderResult } | { error: unknown };

/** A batch rendered: what is ready to send, and whether the renderer itself failed (the worker pauses before it tries again). */
export interface Rendered {
  items: Item[];
  rendererDown: boolean;
}

/** A job's render under way. */
interface Rendering {
  job: Job;
  /** Its start was counted just before it (careful mode): cleared once it rendered. */
  counted: boolean;
  result: Promise<RenderOutcome>;
}

export interface BatchRendererDeps {
  printer: Printer;
  language: Language;
  renderer: Renderer;
  jobs: JobStore;
  spool: Spool;
  config: Readonly<Config>;
  state: { readonly stopping: boolean };
  log: Logger;
  /** Records a job's new state (and tells the event stream). */
  end: (job: Job, to: JobState, change: TransitionChange, from: readonly JobState[]) => Job | null;
}

/**
 * Renders a printer's batch of pending jobs (never on the event loop when the renderer is a pool),
 * up to MAX_BATCH_BYTES. A job whose document cannot be rendered is aborted with the catalogue's
 * reason; one whose rendering was started MAX_RENDER_STARTS times without finishing (it crashed the
 * gateway each time) is aborted rather than tried for ever.
 */
export class BatchRenderer {
  /**
   * Jobs this process rendered to the end but could not yet mark `processing` (a full disk failed
   * the write and the loop started over): a second render of them is no sign of a document that
   * kills the gateway, so it is not counted against MAX_RENDER_STARTS.
   */
  private readonly renderedHere = new Set<string>();

  constructor(private readonly deps: BatchRendererDeps) {}

  /** The jobs are marked processing (their render finished is on record): forget them. */
  marked(items: readonly Item[]): void {
    for (const item of items) this.renderedHere.delete(item.job.id);
  }

  /**
   * Renders the batch in order. Documents go to the renderer a few at a time (RENDER_AHEAD, at most
   * AHEAD_BYTES of documents in flight) so a render thread takes the next one as soon as it is done
   * instead of waiting a round trip through a busy event loop for it; after a crash (`careful`) one
   * at a time. Results are taken in queue order. Once the batch holds MAX_BATCH_BYTES no more are
   * sent; renders already under way that finish after that are kept for the next batch's render
   * (not counted as a render start there).
   */
  async render(pending: readonly Job[]): Promise<Rendered> {
    const items: Item[] = [];
    let rendererDown = false;
    let bytes = 0;
    const { started, careful } = this.startAll(pending);
    const ahead = careful ? 1 : RENDER_AHEAD;
    const inFlight: Rendering[] = [];
    let inFlightBytes = 0;
    let next = 0;
    const full = (): boolean => this.deps.state.stopping || bytes >= MAX_BATCH_BYTES;
    for (;;) {
      while (next < pending.length && inFlight.length < ahead && !full() && (inFlight.length === 0 || inFlightBytes + pending[next]!.bytes <= AHEAD_BYTES)) {
        const rendering = this.start(pending[next++]!, started, careful);
        if (!rendering) continue;
        inFlight.push(rendering);
        inFlightBytes += rendering.job.bytes;
      }
      const head = inFlight.shift();
      if (!head) break;
      inFlightBytes -= head.job.bytes;
      const outcome = await head.result;
      if ('error' in outcome) {
        if (this.failed(head.job, outcome.error) === 'renderer') rendererDown = true;
        continue;
      }
      this.renderedHere.add(head.job.id);
      // Past the cut: rendered for nothing this time, and not a sign of a document that kills the gateway next time.
      if (bytes >= MAX_BATCH_BYTES) continue;
      // After a crash, a job that rendered is cleared at once: the document that killed the gateway may come next.
      items.push({ job: careful && head.counted ? this.deps.jobs.renderFinished(head.job) : head.job, rendered: outcome.rendered });
      bytes += outcome.rendered.bytes.byteLength;
    }
    return { items, rendererDown };
  }

  /** Sends one job's document to the renderer (its start counted first), or aborts a job that crashed it too often. */
  private start(queued: Job, started: ReadonlyMap<string, Job>, careful: boolean): Rendering | null {
    const again = this.renderedHere.has(queued.id);
    if (!again && queued.renderAttempts >= MAX_RENDER_STARTS) {
      this.deps.end(queued, 'aborted', {
        stateReason: 'document-format-error',
        error: { code: 'DOCUMENT_FORMAT_ERROR', message: `rendering was started ${queued.renderAttempts} times and never finished: the document is not tried again` },
      }, ['pending']);
      return null;
    }
    // Bytes passed through as they came cannot crash a renderer: no render start to count (and no commit per job for it).
    const passedThrough = this.deps.language.passThrough?.includes(queued.contentType) ?? false;
    const job = again || passedThrough ? queued : (started.get(queued.id) ?? this.deps.jobs.renderStarted(queued));
    const result = (async (): Promise<RenderOutcome> => {
      try {
        const body = await readDocument(this.deps.jobs, this.deps.spool, job);
        const rendered = await this.deps.renderer.render(this.deps.language, {
          body,
          contentType: job.contentType,
          ...(job.charset ? { charset: job.charset } : {}),
          profile: this.deps.printer.profile,
          options: job.options,
          budget: renderBudget(this.deps.config.limits.render, this.deps.printer.profile),
        });
        return { rendered };
      } catch (error) {
        return { error };
      }
    })();
    return { job, counted: careful && job !== queued, result };
  }

  /**
   * A render that failed. The document's fault aborts the job with the catalogue's code and reason
   * (DOCUMENT_FORMAT_ERROR for an error without one). The renderer's — its threads cannot start
   * (INTERNAL), or it went away because the gateway stops (SHUTTING_DOWN) — is not: the job stays
   * pending, saying why, and is rendered once the renderer works again (the worker pauses first:
   * 'renderer'). Its render start is cleared: the render ended (the gateway did not die in it), so
   * retries while the renderer is down never add up to "started three times and never finished".
   */
  private failed(job: Job, error: unknown): 'document' | 'renderer' {
    const decision = decideFailure(error);
    if (isCatalogueError(error) && (error.code === 'INTERNAL' || error.code === 'SHUTTING_DOWN')) {
      try {
        if (job.renderAttempts > 0) this.deps.jobs.renderFinished(job);
        if (!(error.code === 'SHUTTING_DOWN' && this.deps.state.stopping)) {
          this.deps.jobs.setPendingReason(job, decision.reason);
          this.deps.log.error({ jobId: job.id, code: decision.code, err: decision.message }, 'job waits: the renderer failed, not its document');
        }
      } catch (failure) {
        // A full disk is the worker's to handle (it pauses); stopping with the database closing: the job is pending either way.
        if (storageError(failure) || !this.deps.state.stopping) throw failure;
      }
      return 'renderer';
    }
    const code = decision.action === 'fail' ? decision.code : 'DOCUMENT_FORMAT_ERROR';
    this.deps.end(job, 'aborted', { stateReason: decision.action === 'fail' ? decision.reason : 'document-format-error', error: { code, message: decision.message } }, ['pending']);
    this.deps.log.error({ jobId: job.id, code, err: decision.message }, 'job aborted: its document cannot be rendered');
    return 'document';
  }

  /**
   * Counts the render starts of a whole batch in one commit when none of its jobs has a start on
   * record that never finished (the usual case: no crash since they were queued). Otherwise
   * (`careful`) each job's start is counted just before its own render and cleared as soon as it
   * rendered, so after a crash only the document that killed the gateway gathers starts — never
   * the jobs queued behind it, nor those rendered before it in its batch.
   */
  private startAll(pending: readonly Job[]): { started: Map<string, Job>; careful: boolean } {
    const counted = pending.filter((job) => !this.renderedHere.has(job.id) && !(this.deps.language.passThrough?.includes(job.contentType) ?? false));
    if (counted.some((job) => job.renderAttempts > 0)) return { started: new Map(), careful: true };
    if (counted.length < 2) return { started: new Map(), careful: false };
    return { started: new Map(this.deps.jobs.renderStartedAll(counted).map((job) => [job.id, job])), careful: false };
  }
}
