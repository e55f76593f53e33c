import type { Language, PreviewResult, RenderInput, RenderResult } from '../driver-api/index.js';
import { DriverError } from '../driver-api/index.js';
import { isCatalogueError } from '../errors/catalogue-error.js';

/**
 * Where documents become printer bytes and previews. The job engine and the preview use case
 * call it; what runs behind it (this thread, or a pool of worker threads with budgets) is the
 * composition root's choice. Rejects with a catalogue error, DOCUMENT_FORMAT_ERROR for anything else.
 */
export interface Renderer {
  render(language: Language, input: RenderInput): Promise<RenderResult>;
  preview(language: Language, input: RenderInput): Promise<PreviewResult>;
  /** Gets ready ahead of the first document (the pool starts its threads). */
  warm?(): void;
  close?(): Promise<void>;
}

function asDocumentError(language: Language, input: RenderInput, error: unknown, verb: string): unknown {
  if (isCatalogueError(error)) return error;
  return new DriverError('DOCUMENT_FORMAT_ERROR', `cannot ${verb} ${input.contentType} as ${language.name}: ${(error as Error)?.message ?? String(error)}`, { cause: error });
}

/** Renders on the calling thread. */
export const inlineRenderer: Renderer = {
  async render(language, input) {
    try {
      return await language.render(input);
    } catch (error) {
      throw asDocumentError(language, input, error, 'render');
    }
  },
  async preview(language, input) {
    if (!language.preview) throw new DriverError('DOCUMENT_FORMAT_ERROR', `${language.name} has no preview`);
    try {
      return await language.preview(input);
    } catch (error) {
      throw asDocumentError(language, input, error, 'draw');
    }
  },
};
