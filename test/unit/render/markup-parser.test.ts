import { describe, expect, it } from 'vitest';
import { parseMarkup } from '../../../drivers/render/markup-parser.js';

describe('parseMarkup', () => {
  it('splits text and tags, lower-casing tag and parameter names', () => {
    expect(parseMarkup('Hello [Bold]World[cut]')).toEqual([
      { kind: 'text', text: 'Hello ' },
      { kind: 'tag', name: 'bold', params: [], source: '[Bold]' },
      { kind: 'text', text: 'World' },
      { kind: 'tag', name: 'cut', params: [], source: '[cut]' },
    ]);
  });

  it('reads parameters as name and value, with an optional colon after the name', () => {
    const [tag] = parseMarkup('[column: left Item 1; right: $10.00]');
    expect(tag).toMatchObject({ kind: 'tag', name: 'column', params: [{ name: 'left', value: 'Item 1' }, { name: 'right', value: '$10.00' }] });
    const [mag] = parseMarkup('[mag: w 2; h 3]');
    expect(mag).toMatchObject({ params: [{ name: 'w', value: '2' }, { name: 'h', value: '3' }] });
    const [cut] = parseMarkup('[cut: feed; partial]');
    expect(cut).toMatchObject({ params: [{ name: 'feed', value: '' }, { name: 'partial', value: '' }] });
  });

  it('keeps a data: URL whole although it contains ";"', () => {
    const [tag] = parseMarkup('[image: url data:image/png;base64,iVBORw0KGgo=; width 50%]');
    expect(tag).toMatchObject({ name: 'image', params: [{ name: 'url', value: 'data:image/png;base64,iVBORw0KGgo=' }, { name: 'width', value: '50%' }] });
  });

  it('prints \\[ as a bracket and joins lines ending in a backslash', () => {
    const nodes = parseMarkup('a \\[not a tag\\] b\\\nc\\\\d');
    expect(nodes).toEqual([{ kind: 'text', text: 'a [not a tag] bc\\d' }]);
  });

  it('treats brackets that are not tags as text', () => {
    expect(parseMarkup('[Item 1] and [unterminated')).toEqual([{ kind: 'text', text: '[Item 1] and [unterminated' }]);
  });

  it('normalises CRLF and drops a byte-order mark', () => {
    expect(parseMarkup('\uFEFFa\r\nb')).toEqual([{ kind: 'text', text: 'a\nb' }]);
  });
});
