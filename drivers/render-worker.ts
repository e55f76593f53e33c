import { parentPort } from 'node:worker_threads';
import { isCatalogueError, type RenderInput } from '../src/driver-api/index.js';
import { LANGUAGES } from './languages/languages.js';

/**
 * A render pool thread: renders or draws one document at a time for the gateway's event loop.
 * It holds no state between tasks; a task that takes too long or too much memory is ended by the
 * pool terminating this thread.
 */
interface Task {
  id: number;
  kind: 'render' | 'preview';
  language: string;
  input: RenderInput;
}

const byName = new Map(LANGUAGES.map((language) => [language.name, language]));

async function run(task: Task): Promise<void> {
  try {
    const language = byName.get(task.language);
    if (!language) throw new Error(`no language ${task.language} in the render pool`);
    if (task.kind === 'preview') {
      if (!language.preview) throw new Error(`${language.name} has no preview`);
      const result = await language.preview(task.input);
      // A copy of its own: a small Buffer may share its memory with others (Node's pool).
      const png = new Uint8Array(result.png);
      parentPort!.postMessage({ id: task.id, ok: true, result: { ...result, png } }, [png.buffer]);
    } else {
      const result = await language.render(task.input);
      const bytes = new Uint8Array(result.bytes);
      parentPort!.postMessage({ id: task.id, ok: true, result: { ...result, bytes } }, [bytes.buffer]);
    }
  } catch (error) {
    const catalogue = isCatalogueError(error) ? { code: error.code, details: error.details } : null;
    parentPort!.postMessage({ id: task.id, ok: false, error: { message: (error as Error)?.message ?? String(error), ...catalogue } });
  }
}

// The pool may hand this thread several documents at once: they run one after the other, in the
// order given, and are answered in that order (the pool times and blames the one it knows is running).
let previous: Promise<void> = Promise.resolve();
parentPort?.on('message', (task: Task) => {
  previous = previous.then(() => run(task));
});

// Loaded: the pool may hand this thread a document (its time budget starts now, not at spawn).
parentPort?.postMessage({ ready: true });
