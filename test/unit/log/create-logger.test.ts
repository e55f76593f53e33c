import { closeSync, fstatSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/create-logger.js';
import { isJournalStream, withSyslogPrefix } from '../../../src/log/journal-stream.js';
import { LogCapture } from '../../helpers/log-capture.js';

const dir = mkdtempSync(path.join(tmpdir(), 'printgate-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function logAll(journal: boolean): string[] {
  const capture = new LogCapture();
  const log = createLogger({ level: 'trace', destination: capture, journal });
  log.fatal('f');
  log.error({ printerId: 'kitchen' }, 'e');
  log.child({ component: 'x' }).warn('w');
  log.info('i');
  log.debug('d');
  log.trace('t');
  return capture.lines;
}

describe('createLogger for journald', () => {
  it('prefixes each line with its syslog priority when stdout is the journal, children too', () => {
    const lines = logAll(true);
    expect(lines.map((line) => line.slice(0, 3))).toEqual(['<2>', '<3>', '<4>', '<6>', '<7>', '<7>']);
    const entries = lines.map((line) => JSON.parse(line.slice(3)) as { level: string; msg: string });
    expect(entries.map((entry) => [entry.level, entry.msg])).toEqual([
      ['fatal', 'f'],
      ['error', 'e'],
      ['warn', 'w'],
      ['info', 'i'],
      ['debug', 'd'],
      ['trace', 't'],
    ]);
  });

  it('writes plain JSON lines otherwise', () => {
    for (const line of logAll(false)) expect(line.startsWith('{"level":')).toBe(true);
  });

  it('files a line it cannot read the level of at info', () => {
    expect(withSyslogPrefix('{"msg":"x"}\n')).toBe('<6>{"msg":"x"}\n');
  });
});

describe('isJournalStream', () => {
  const fd = openSync(path.join(dir, 'out'), 'w');
  afterAll(() => closeSync(fd));
  const stat = fstatSync(fd, { bigint: true });

  it('is true only when JOURNAL_STREAM names the device and inode of that descriptor', () => {
    expect(isJournalStream({ JOURNAL_STREAM: `${stat.dev}:${stat.ino}` }, fd)).toBe(true);
    expect(isJournalStream({ JOURNAL_STREAM: `${stat.dev}:${stat.ino + 1n}` }, fd)).toBe(false);
    expect(isJournalStream({}, fd)).toBe(false);
    expect(isJournalStream({ JOURNAL_STREAM: 'journal' }, fd)).toBe(false);
    expect(isJournalStream({ JOURNAL_STREAM: '1:2' }, 999_999)).toBe(false);
  });
});
