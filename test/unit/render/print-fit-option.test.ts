import { describe, expect, it } from 'vitest';
import { parsePrintOptions } from '../../../src/jobs/print-options.js';

const defaults = { copies: 1, preBuzzer: 0, postBuzzer: 0 };

function options(headers: Record<string, string>, query: Record<string, unknown> = {}) {
  return parsePrintOptions({ header: (name) => headers[name], query: (name) => query[name] }, defaults);
}

describe('the fit option (Printgate-Fit header, fit query parameter)', () => {
  it('is absent by default and for none: images print 1:1', () => {
    expect(options({})).not.toHaveProperty('fit');
    expect(options({ 'printgate-fit': 'none' })).not.toHaveProperty('fit');
  });

  it('is width from the header or the query, any case; the header wins', () => {
    expect(options({}, { fit: 'width' }).fit).toBe('width');
    expect(options({ 'printgate-fit': 'Width' }).fit).toBe('width');
    expect(options({ 'printgate-fit': 'none' }, { fit: 'width' })).not.toHaveProperty('fit');
  });

  it('refuses any other value with 400 naming the option', () => {
    expect(() => options({}, { fit: 'page' })).toThrow(/fit must be width or none, got "page"/);
    expect(() => options({ 'printgate-fit': 'stretch' })).toThrow(expect.objectContaining({ code: 'BAD_REQUEST', details: { field: 'printgate-fit' } }));
    expect(() => options({}, { fit: ['width', 'width'] })).toThrow(/fit must be given once/);
  });
});
