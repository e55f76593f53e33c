/** One piece of a Star Document Markup document. */
export type MarkupNode =
  | { kind: 'text'; text: string }
  | { kind: 'tag'; name: string; params: MarkupParam[]; source: string };

/** `name value`; a parameter with no value (`[cut: partial]`, `[align: centre]`) has value ''. */
export interface MarkupParam {
  name: string;
  value: string;
}

/**
 * Parses `text/vnd.star.markup`: text mixed with `[tag: name value; name value]`. `\[` is a literal
 * `[` (and `\]`, `\\` likewise), a `\` at the end of a line joins it to the next, an unterminated
 * `[` is printed as text. Tag names are lower-cased; values are trimmed, case kept.
 */
export function parseMarkup(source: string): MarkupNode[] {
  const nodes: MarkupNode[] = [];
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let buffer = '';
  const flush = (): void => {
    if (buffer !== '') nodes.push({ kind: 'text', text: buffer });
    buffer = '';
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '\n') {
        i += 2;
        continue;
      }
      if (next === '[' || next === ']' || next === '\\') {
        buffer += next;
        i += 2;
        continue;
      }
      buffer += c;
      i += 1;
      continue;
    }
    if (c === '[') {
      const end = text.indexOf(']', i + 1);
      if (end < 0) {
        buffer += text.slice(i);
        break;
      }
      const tag = parseTag(text.slice(i + 1, end));
      if (tag === undefined) {
        buffer += text.slice(i, end + 1);
      } else {
        flush();
        nodes.push({ ...tag, source: text.slice(i, end + 1) });
      }
      i = end + 1;
      continue;
    }
    buffer += c;
    i += 1;
  }
  flush();
  return nodes;
}

function parseTag(body: string): { kind: 'tag'; name: string; params: MarkupParam[] } | undefined {
  const match = /^\s*([A-Za-z][A-Za-z0-9-]*)\s*(?::([\s\S]*))?$/.exec(body);
  if (!match) return undefined;
  const name = match[1]!.toLowerCase();
  const rest = match[2];
  if (rest === undefined) {
    // `[bold]`, but not `[Item 1]`: a bare word followed by anything but a colon is text.
    return /^\s*[A-Za-z][A-Za-z0-9-]*\s*$/.test(body) ? { kind: 'tag', name, params: [] } : undefined;
  }
  return { kind: 'tag', name, params: parseParams(rest) };
}

function parseParams(rest: string): MarkupParam[] {
  const segments = rest.split(';');
  const merged: string[] = [];
  for (const segment of segments) {
    const previous = merged[merged.length - 1];
    // `url data:image/png;base64,....`: the data URL's own ";" does not end the parameter.
    if (previous !== undefined && /\bdata:[^\s]*$/i.test(previous) && /^(base64,|[\w.-]+=)/i.test(segment.trim())) {
      merged[merged.length - 1] = `${previous};${segment.trim()}`;
    } else {
      merged.push(segment);
    }
  }
  const params: MarkupParam[] = [];
  for (const segment of merged) {
    const trimmed = segment.trim();
    if (trimmed === '') continue;
    const param = /^([A-Za-z][A-Za-z0-9-]*)\s*:?\s*([\s\S]*)$/.exec(trimmed);
    if (param) params.push({ name: param[1]!.toLowerCase(), value: param[2]!.trim() });
    else params.push({ name: trimmed.toLowerCase(), value: '' });
  }
  return params;
}
