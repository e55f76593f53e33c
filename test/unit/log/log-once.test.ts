import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/log/create-logger.js';
import { LogOnce } from '../../../src/log/log-once.js';
import { LogCapture } from '../../helpers/log-capture.js';

function setup(level?: 'error' | 'warn') {
  const logs = new LogCapture();
  const once = new LogOnce({ log: createLogger({ level: 'debug', destination: logs }), ...(level ? { level } : {}) });
  const seen = () => logs.entries().map((entry) => [entry.level, entry.msg, entry.repeats]);
  return { once, logs, seen };
}

describe('LogOnce', () => {
  it('logs a repeating failure once at error, then at debug, and its end at info', () => {
    const { once, seen } = setup();
    expect(once.failed('printer:kitchen', { printerId: 'kitchen' }, 'printer offline')).toBe(true);
    expect(once.failed('printer:kitchen', { printerId: 'kitchen' }, 'printer offline')).toBe(false);
    expect(once.failed('printer:kitchen', { printerId: 'kitchen' }, 'printer offline')).toBe(false);
    expect(once.isFailing('printer:kitchen')).toBe(true);
    expect(once.cleared('printer:kitchen', { printerId: 'kitchen' }, 'printer back online')).toBe(true);
    expect(once.isFailing('printer:kitchen')).toBe(false);
    expect(seen()).toEqual([
      ['error', 'printer offline', undefined],
      ['debug', 'printer offline', 1],
      ['debug', 'printer offline', 2],
      ['info', 'printer back online', 2],
    ]);
  });

  it('says nothing when something that never failed works', () => {
    const { once, logs } = setup();
    expect(once.cleared('printer:bar', {}, 'printer back online')).toBe(false);
    expect(logs.lines).toEqual([]);
  });

  it('is loud again when the cause changes, and after it cleared', () => {
    const { once, seen } = setup('warn');
    once.failed('cloud', {}, 'cloud sync failed', 'ECONNREFUSED');
    once.failed('cloud', {}, 'cloud sync failed', 'ECONNREFUSED');
    once.failed('cloud', {}, 'cloud sync failed', 'EHOSTUNREACH');
    once.cleared('cloud', {}, 'cloud sync works again');
    once.failed('cloud', {}, 'cloud sync failed', 'EHOSTUNREACH');
    expect(seen().map(([level]) => level)).toEqual(['warn', 'debug', 'warn', 'info', 'warn']);
  });

  it('keeps keys apart', () => {
    const { once, seen } = setup();
    once.failed('printer:a', {}, 'printer offline');
    once.failed('printer:b', {}, 'printer offline');
    expect(seen().map(([level]) => level)).toEqual(['error', 'error']);
  });
});
