import { describe, expect, it } from 'vitest';
import { SseParser, type SseEvent } from '../../../src/cloud/sse-parser.js';

describe('SseParser', () => {
  it('dispatches events split across chunks and line endings, skipping comments', () => {
    const seen: SseEvent[] = [];
    const parser = new SseParser((event) => seen.push(event));
    for (const chunk of [': hello\n\nevent: chan', 'ged\r', '\ndata: {"seq":', '4}\r\n\r\n', 'data: a\ndata: b\n\n']) parser.push(chunk);
    expect(seen).toEqual([
      { event: 'changed', data: '{"seq":4}' },
      { event: 'message', data: 'a\nb' },
    ]);
  });
});
