import type { Language, RenderInput, RenderResult } from '../../src/driver-api/index.js';
import { concat, RAW_TYPES, repeat } from './text-document.js';

/** raw: the body, byte for byte, once per copy. Options the bytes cannot carry are reported as warnings. */
export const rawLanguage: Language = {
  name: 'raw',
  /** The bytes go as they came; what they are is the client's business. */
  documentFormat: 'application/octet-stream',
  acceptedTypes: ['text/plain', ...RAW_TYPES],
  passThrough: ['text/plain', ...RAW_TYPES],
  async render(input: RenderInput): Promise<RenderResult> {
    const warnings: string[] = [];
    const { options } = input;
    if (options.drawer !== 'none') warnings.push('cash drawer option ignored: the raw language sends the body unchanged');
    if (options.preBuzzer > 0 || options.postBuzzer > 0) warnings.push('buzzer options ignored: the raw language sends the body unchanged');
    const documentFormat = input.contentType === 'text/plain' ? 'text/plain' : input.contentType;
    return { bytes: concat(repeat([input.body], options.copies)), documentFormat, warnings };
  },
};
