import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { Language, PreviewResult, RenderInput, RenderResult } from '../driver-api/index.js';
import { DriverError } from '../driver-api/index.js';
import { isErrorCode } from '../errors/codes.js';
import { THREAD_RESOURCE_LIMITS } from '../memory-limits.js';
import { inlineRenderer, type Renderer } from './renderer.js';

export interface RenderPoolDeps {
  /** The thread's entry (drivers/render-worker.js, built). */
  workerFile: URL | string;
  /** Wall-clock time one render or preview may take (limits.render.timeoutSeconds). */
  timeoutMs: number;
  /** Heap of each thread (limits.render.memoryMB): a document that needs more ends its thread, not the gateway. */
  memoryMB: number;
  threads?: number;
  /** Threads end after this long without a document (10 min) and start again with the next one. */
  idleMs?: number;
  log: Logger;
}

interface Task {
  id: number;
  kind: 'render' | 'preview';
  language: string;
  input: RenderInput;
  resolve: (value: RenderResult | PreviewResult) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  /** Loaded and listening: the time budget of a task starts when a thread that can run it has it. */
  ready: boolean;
  /** Posted to the thread, in order: the first is the one it runs; the others wait in its message queue. */
  tasks: Task[];
  /** The time budget of the first task (armed when it became first). */
  timer: NodeJS.Timeout | null;
  /** When the first task became first (performance.now()). */
  headSince: number;
}

type Answer = { ready: true } | { id: number; ok: true; result: RenderResult | PreviewResult } | { id: number; ok: false; error: { message: string; code?: string; details?: Record<string, unknown> } };

/**
 * Rendering and previews off the event loop: a few worker threads (the cores but one, at most
 * three), each with a heap limit, one document at a time each, every task bounded in time. A
 * document over the time or memory budget — or one that crashes its thread — fails with
 * DOCUMENT_TOO_COMPLEX naming the budget; the thread is replaced. Documents a language passes
 * through unchanged are not sent to a thread at all.
 *
 * A thread is given up to THREAD_DEPTH documents at once, so it starts the next the moment it
 * answers one instead of waiting for a busy event loop to send it (measured: a batch of 32 receipts
 * took 30–55 ms to render while the loop took print requests, 6–8 ms while it did not). It runs
 * them in order; the first one's time budget starts when it becomes first. When a thread is lost,
 * only its first document is to blame: the ones behind it go to the fresh thread. A thread busy
 * with a long document (over LONG_MS) is given no more.
 */
export class RenderPool implements Renderer {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;
  /** Threads that ended before they were ready, in a row: past BOOT_ATTEMPTS the pool stops spawning. */
  private bootFailures = 0;
  private readonly threads: number;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: RenderPoolDeps) {
    this.threads = deps.threads ?? Math.max(1, Math.min(3, availableParallelism() - 1));
  }

  /**
   * Starts the threads ahead of the first document (each loads every language: 60 ms of CPU on an
   * AMD EPYC core, a few hundred on a Pi). The gateway does not: a box waiting for its first receipt
   * does not keep ~10 MB of thread for it; the first document starts them, and after idleMs without
   * one they end again (a shop printing every few minutes keeps them).
   */
  warm(): void {
    if (!this.closed && this.slots.length === 0) this.spawnAll();
  }

  render(language: Language, input: RenderInput): Promise<RenderResult> {
    if (language.passThrough?.includes(input.contentType)) return inlineRenderer.render(language, input);
    return this.run('render', language, input) as Promise<RenderResult>;
  }

  preview(language: Language, input: RenderInput): Promise<PreviewResult> {
    return this.run('preview', language, input) as Promise<PreviewResult>;
  }

  /** Threads running now (for tests and the health report). */
  get running(): number {
    return this.slots.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    const tasks = this.queue.splice(0);
    for (const slot of this.slots) {
      if (slot.timer) clearTimeout(slot.timer);
      slot.timer = null;
      tasks.push(...slot.tasks.splice(0));
    }
    // Those under way too: no document is over a budget, the gateway is stopping.
    for (const task of tasks) task.reject(stopping());
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private run(kind: Task['kind'], language: Language, input: RenderInput): Promise<RenderResult | PreviewResult> {
    if (this.closed) return Promise.reject(stopping());
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    // Not started yet, or threads that could not start: tried again with this document (a job's retry paces it).
    if (this.slots.length === 0) this.spawnAll();
    return new Promise((resolve, reject) => {
      // The body is copied to a buffer of its own size (a Buffer may be a view of a larger one, which the thread would be sent whole).
      this.queue.push({ id: this.nextId++, kind, language: language.name, input: { ...input, body: new Uint8Array(input.body) }, resolve, reject });
      this.dispatch();
    });
  }

  private spawnAll(): void {
    this.bootFailures = 0;
    for (let i = 0; i < this.threads; i += 1) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(this.deps.workerFile, { resourceLimits: { ...THREAD_RESOURCE_LIMITS, maxOldGenerationSizeMb: this.deps.memoryMB } });
    const slot: Slot = { worker, ready: false, tasks: [], timer: null, headSince: 0 };
    worker.on('message', (answer: Answer) => {
      if ('ready' in answer) {
        slot.ready = true;
        this.bootFailures = 0;
        this.dispatch();
        this.armIdle();
      } else this.answered(slot, answer);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const memory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.lost(slot, memory ? 'memory' : 'crash', error.message);
    });
    worker.on('exit', (exitCode) => {
      if (slot.tasks.length > 0 || !slot.ready) this.lost(slot, 'crash', `the render thread ended (exit code ${exitCode})`);
    });
    worker.unref();
    return slot;
  }

  /** Fills the threads level by level (each its first document, then each a second, …), so none idles while another holds a queue. */
  private dispatch(): void {
    const now = performance.now();
    for (let depth = 1; depth <= THREAD_DEPTH && this.queue.length > 0; depth += 1) {
      for (const slot of this.slots) {
        if (this.queue.length === 0) return;
        if (!slot.ready || slot.tasks.length >= depth) continue;
        if (slot.tasks.length > 0 && now - slot.headSince > LONG_MS) continue;
        const task = this.queue.shift()!;
        slot.tasks.push(task);
        if (slot.tasks.length === 1) this.armBudget(slot, now);
        // Copied, not transferred: a document behind one that loses its thread is sent again.
        slot.worker.postMessage({ id: task.id, kind: task.kind, language: task.language, input: task.input });
      }
    }
  }

  /** The first task of the thread starts its time budget. */
  private armBudget(slot: Slot, now: number): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.headSince = now;
    slot.timer = setTimeout(() => this.lost(slot, 'time', `rendering took longer than ${this.deps.timeoutMs / 1000} s`), this.deps.timeoutMs);
  }

  private answered(slot: Slot, answer: Exclude<Answer, { ready: true }>): void {
    const task = slot.tasks[0];
    if (!task || task.id !== answer.id) return;
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.tasks.shift();
    if (slot.tasks.length > 0) this.armBudget(slot, performance.now());
    if (answer.ok) task.resolve(answer.result);
    else {
      const { code, message, details } = answer.error;
      task.reject(new DriverError(code && isErrorCode(code) ? code : 'DOCUMENT_FORMAT_ERROR', code ? message : `cannot ${task.kind} ${task.input.contentType} as ${task.language}: ${message}`, details ? { details } : {}));
    }
    this.dispatch();
    this.armIdle();
  }

  /** Nothing to render: the threads end after idleMs unless a document comes first. */
  private armIdle(): void {
    if (this.closed || this.queue.length > 0 || this.slots.some((slot) => slot.tasks.length > 0 || !slot.ready)) return;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      if (this.closed || this.queue.length > 0 || this.slots.some((slot) => slot.tasks.length > 0 || !slot.ready)) return;
      this.deps.log.debug({ threads: this.slots.length }, 'no document for a while: the render threads end');
      for (const slot of this.slots.splice(0)) void slot.worker.terminate();
    }, this.deps.idleMs ?? IDLE_MS);
    this.idleTimer.unref();
  }

  /**
   * The thread went over a budget or died: its first task fails, the ones behind it go back to the
   * front of the queue, a fresh thread takes its place.
   */
  private lost(slot: Slot, budget: 'time' | 'memory' | 'crash', why: string): void {
    const [task, ...behind] = slot.tasks;
    if (slot.timer) clearTimeout(slot.timer);
    slot.tasks = [];
    slot.timer = null;
    const index = this.slots.indexOf(slot);
    if (index < 0) {
      // A thread already replaced (its error, then its exit): anything it still held is sent again.
      if (task) this.queue.unshift(task, ...behind);
      if (task) this.dispatch();
      return;
    }
    void slot.worker.terminate();
    this.queue.unshift(...behind);
    if (!slot.ready && !this.closed) {
      this.slots.splice(index, 1);
      this.bootFailed(why);
      return;
    }
    if (!this.closed) this.slots[index] = this.spawn();
    else this.slots.splice(index, 1);
    if (task) {
      this.deps.log.warn({ budget, language: task.language, contentType: task.input.contentType }, 'a document went over its render budget');
      // Named like the other budgets: the limits.render key a technician would raise.
      const details =
        budget === 'time' ? { budget: 'timeoutSeconds', limit: this.deps.timeoutMs / 1000 } : budget === 'memory' ? { budget: 'memoryMB', limit: this.deps.memoryMB } : { budget: 'renderer' };
      const over = budget === 'crash' ? 'the renderer failed on this document' : `the document is over the ${budget} budget (limits.render.${details.budget})`;
      task.reject(new DriverError('DOCUMENT_TOO_COMPLEX', `${why}: ${over}`, { details }));
    }
    this.dispatch();
  }

  /** A thread could not even load: an installation problem, not the document's. */
  private bootFailed(why: string): void {
    this.bootFailures += 1;
    if (this.bootFailures < BOOT_ATTEMPTS) {
      this.slots.push(this.spawn());
      return;
    }
    if (this.slots.some((other) => other.ready)) return;
    this.deps.log.error({ workerFile: String(this.deps.workerFile), err: why }, 'the render threads cannot start; documents wait');
    for (const other of this.slots.splice(0)) void other.worker.terminate();
    for (const task of this.queue.splice(0)) task.reject(new DriverError('INTERNAL', `the render threads cannot start (${why}); the job is tried again`));
  }
}

const BOOT_ATTEMPTS = 3;
/** Documents a thread holds at once (the one it renders and those next in its message queue). */
const THREAD_DEPTH = 4;
/** A thread whose current document has taken longer than this is given no more beside it. */
const LONG_MS = 50;
const IDLE_MS = 10 * 60_000;

function stopping(): DriverError {
  return new DriverError('SHUTTING_DOWN', 'the gateway is stopping; the job is rendered when it starts again');
}
