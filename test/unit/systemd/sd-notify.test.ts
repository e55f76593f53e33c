import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/log/create-logger.js';
import { SdNotify, type DatagramSocket } from '../../../src/systemd/sd-notify.js';
import { LogCapture } from '../../helpers/log-capture.js';

/** A socket that keeps what was sent, and can be told to fail. */
function fakeSockets(fail?: () => Error | undefined) {
  const sent: { path: string; message: string }[] = [];
  let open = 0;
  const openSocket = (): DatagramSocket => {
    open += 1;
    return {
      send: (buffer, offset, length, path, callback) => {
        sent.push({ path, message: buffer.subarray(offset, offset + length).toString('utf8') });
        callback?.(fail?.());
      },
      close: () => {
        open -= 1;
      },
      on: () => undefined,
    };
  };
  return { sent, openSocket, openCount: () => open };
}

function notifier(env: Record<string, string>, sockets = fakeSockets()) {
  const logs = new LogCapture();
  const notify = new SdNotify({ env, log: createLogger({ level: 'debug', destination: logs }), pid: 4242, openSocket: sockets.openSocket, monotonicUsec: () => 123456789n });
  return { notify, logs, sockets, messages: () => sockets.sent.map((entry) => entry.message) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('SdNotify', () => {
  it('does nothing without NOTIFY_SOCKET (not under systemd, or Type=simple)', () => {
    const { notify, messages, logs } = notifier({});
    notify.ready();
    notify.status('x');
    notify.startWatchdog();
    notify.stopping();
    expect(notify.enabled).toBe(false);
    expect(notify.watchdogIntervalMs).toBeNull();
    expect(messages()).toEqual([]);
    expect(logs.lines).toEqual([]);
  });

  it('sends READY, STATUS, RELOADING with MONOTONIC_USEC, STOPPING to the socket path, one socket per message, closed', async () => {
    const { notify, messages, sockets } = notifier({ NOTIFY_SOCKET: '/run/systemd/notify' });
    notify.ready('listening on http://0.0.0.0:8631');
    notify.status('2 printers\nidle');
    const result = await notify.reload(() => 'reloaded');
    notify.stopping();
    expect(result).toBe('reloaded');
    expect(messages()).toEqual([
      'READY=1\nSTATUS=listening on http://0.0.0.0:8631',
      'STATUS=2 printers idle',
      'RELOADING=1\nMONOTONIC_USEC=123456789',
      'READY=1',
      'STOPPING=1',
    ]);
    expect(new Set(sockets.sent.map((entry) => entry.path))).toEqual(new Set(['/run/systemd/notify']));
    expect(sockets.openCount()).toBe(0);
  });

  it('sends READY=1 after a reload that failed, and rethrows', async () => {
    const { notify, messages } = notifier({ NOTIFY_SOCKET: '/run/systemd/notify' });
    await expect(notify.reload(() => Promise.reject(new Error('bad printers')))).rejects.toThrow('bad printers');
    expect(messages()).toEqual(['RELOADING=1\nMONOTONIC_USEC=123456789', 'READY=1']);
  });

  it('pings WATCHDOG=1 at once and then every half of WATCHDOG_USEC, until stopping', () => {
    vi.useFakeTimers();
    const { notify, messages } = notifier({ NOTIFY_SOCKET: '/run/systemd/notify', WATCHDOG_USEC: '10000000', WATCHDOG_PID: '4242' });
    expect(notify.watchdogIntervalMs).toBe(5000);
    notify.startWatchdog();
    notify.startWatchdog();
    expect(messages()).toEqual(['WATCHDOG=1']);
    vi.advanceTimersByTime(4999);
    expect(messages()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(messages()).toHaveLength(2);
    vi.advanceTimersByTime(15_000);
    expect(messages()).toHaveLength(5);
    notify.stopping();
    vi.advanceTimersByTime(60_000);
    expect(messages().slice(-1)).toEqual(['STOPPING=1']);
    expect(messages().filter((m) => m === 'WATCHDOG=1')).toHaveLength(5);
  });

  it('does not ping a watchdog meant for another process (WATCHDOG_PID), or a malformed WATCHDOG_USEC', () => {
    expect(notifier({ NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: '10000000', WATCHDOG_PID: '1' }).notify.watchdogIntervalMs).toBeNull();
    const bad = notifier({ NOTIFY_SOCKET: '/run/n', WATCHDOG_USEC: 'soon' });
    expect(bad.notify.watchdogIntervalMs).toBeNull();
    expect(bad.logs.find('sd_notify: WATCHDOG_USEC is not a positive integer; no watchdog pings')).toHaveLength(1);
  });

  it('never throws when the addon is missing, and says so once', () => {
    const logs = new LogCapture();
    const notify = new SdNotify({
      env: { NOTIFY_SOCKET: '/run/systemd/notify' },
      log: createLogger({ level: 'debug', destination: logs }),
      openSocket: () => {
        throw new Error("Cannot find module 'unix-dgram'");
      },
    });
    expect(() => {
      notify.ready();
      notify.watchdog();
      notify.stopping();
    }).not.toThrow();
    expect(logs.entries().map((entry) => entry.level)).toEqual(['warn']);
  });

  it('logs a failing send once at warn, then at debug, and at info when it works again', () => {
    let failing = true;
    const sockets = fakeSockets(() => (failing ? new Error('send -111') : undefined));
    const { notify, logs } = notifier({ NOTIFY_SOCKET: '/run/systemd/notify' }, sockets);
    notify.watchdog();
    notify.watchdog();
    failing = false;
    notify.watchdog();
    const entries = logs.entries();
    expect(entries.map((entry) => [entry.level, entry.msg])).toEqual([
      ['warn', 'sd_notify: send failed'],
      ['debug', 'sd_notify: send failed'],
      ['info', 'sd_notify: sending again'],
    ]);
    expect(entries[0]?.err).toBe('send: ECONNREFUSED');
  });

  it('ignores an abstract NOTIFY_SOCKET it cannot reach, with one warning', () => {
    const { notify, messages, logs } = notifier({ NOTIFY_SOCKET: '@/org/freedesktop/systemd1/notify' });
    notify.ready();
    expect(notify.enabled).toBe(false);
    expect(messages()).toEqual([]);
    expect(logs.entries().map((entry) => entry.level)).toEqual(['warn']);
  });
});
