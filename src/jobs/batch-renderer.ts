import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Language, RenderResult } from '../driver-api/index.js';
import { renderBudget } from '../driver-api/index.js';
import type { Printer } from '../printers/printer-registry.js';
import type { JobState } from './job-states.js';
import type { Job, JobStore, TransitionChange } from './job-store.js';
import { readDocument } from './read-document.js';
import type { Renderer } from './renderer.js';
import type { Spool } from './spool.js';
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

  async render(pending: readonly Job[]): Promise<Item[]> {
    const items: Item[] = [];
    let bytes = 0;
    const { started, careful } = this.startAll(pending);
    for (const queued of pending) {
      if (this.deps.state.stopping || bytes >= MAX_BATCH_BYTES) break;
      const again = this.renderedHere.has(queued.id);
      if (!again && queued.renderAttempts >= MAX_RENDER_STARTS) {
        this.deps.end(queued, 'aborted', {
          stateReason: 'document-format-error',
          error: { code: 'DOCUMENT_FORMAT_ERROR', message: `rendering was started ${queued.renderAttempts} times and never finished: the document is not tried again` },
        }, ['pending']);
        continue;
      }
      // Bytes passed through as they came cannot crash a renderer: no render start to count (and no commit per job for it).
      const passedThrough = this.deps.language.passThrough?.includes(queued.contentType) ?? false;
      const job = again || passedThrough ? queued : (started.get(queued.id) ?? this.deps.jobs.renderStarted(queued));
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
        // After a crash, a job that rendered is cleared at once: the document that killed the gateway may come next.
        items.push({ job: careful && job !== queued ? this.deps.jobs.renderFinished(job) : job, rendered });
        this.renderedHere.add(job.id);
        bytes += rendered.bytes.byteLength;
      } catch (error) {
        const decision = decideFailure(error);
        const code = decision.action === 'fail' ? decision.code : 'DOCUMENT_FORMAT_ERROR';
        this.deps.end(job, 'aborted', { stateReason: decision.action === 'fail' ? decision.reason : 'document-format-error', error: { code, message: decision.message } }, ['pending']);
        this.deps.log.error({ jobId: job.id, code, err: decision.message }, 'job aborted: its document cannot be rendered');
      }
    }
    return items;
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
