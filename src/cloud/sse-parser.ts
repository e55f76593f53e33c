/** One Server-Sent Event as dispatched: its type ("message" when unnamed) and its data lines joined. */
export interface SseEvent {
  event: string;
  data: string;
}

/** Incremental text/event-stream parser: feed it chunks, it calls back per complete event. */
export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  push(chunk: string): void {
    this.buffer += chunk;
    for (;;) {
      const end = this.buffer.search(/\r\n|\r|\n/);
      if (end < 0) break;
      if (end === this.buffer.length - 1 && this.buffer[end] === '\r') break; // maybe half of \r\n
      const line = this.buffer.slice(0, end);
      const breakLength = this.buffer.startsWith('\r\n', end) ? 2 : 1;
      this.buffer = this.buffer.slice(end + breakLength);
      this.line(line);
    }
    if (this.buffer.length > 1_000_000) this.buffer = ''; // a line that never ends is not an event
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0 || this.event !== '') this.onEvent({ event: this.event || 'message', data: this.data.join('\n') });
      this.event = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
  }
}
