import { Writable } from 'node:stream';

/** A pino destination that keeps every JSON line, for asserting on logs (and on what they never hold). */
export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') this.lines.push(line);
    callback();
  }

  text(): string {
    return this.lines.join('\n');
  }

  entries(): Record<string, unknown>[] {
    return this.lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  find(msg: string): Record<string, unknown>[] {
    return this.entries().filter((entry) => entry.msg === msg);
  }
}
