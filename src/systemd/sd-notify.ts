import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import type { Logger } from 'pino';
import { LogOnce } from '../log/log-once.js';

/** What we use of a unix datagram socket (the `unix-dgram` package's Socket). */
export interface DatagramSocket {
  send(buffer: Buffer, offset: number, length: number, path: string, callback?: (error?: Error) => void): void;
  close(): void;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The systemd variables the notifier reads; the composition root passes process.env. */
export interface SdNotifyEnv {
  NOTIFY_SOCKET?: string | undefined;
  WATCHDOG_USEC?: string | undefined;
  WATCHDOG_PID?: string | undefined;
}

export interface SdNotifyDeps {
  env: SdNotifyEnv;
  log: Logger;
  pid?: number;
  /** Opens the unix datagram socket; `unix-dgram` by default. Tests pass a fake. */
  openSocket?: () => DatagramSocket;
  /** CLOCK_MONOTONIC in microseconds (RELOADING=1 carries it); process.hrtime by default. */
  monotonicUsec?: () => bigint;
}

/** `unix-dgram` is an optional dependency (a native addon): without it the notifier is a no-op. */
function openUnixDgram(): DatagramSocket {
  const require = createRequire(import.meta.url);
  const { createSocket } = require('unix-dgram') as { createSocket(type: 'unix_dgram'): DatagramSocket };
  return createSocket('unix_dgram');
}

/**
 * The sd_notify protocol (man sd_notify) for `Type=notify` with `NotifyAccess=main`: READY=1 once
 * the API listens, RELOADING=1 … READY=1 around a SIGHUP reload, STOPPING=1 on the way out, STATUS=
 * for `systemctl status`, and WATCHDOG=1 at half of WATCHDOG_USEC from a timer on the event loop, so a
 * loop that hangs stops the pings and systemd restarts the service.
 *
 * Soft-failing, like zigbee2mqtt's helper: without NOTIFY_SOCKET (not under systemd, or
 * Type=simple) every call does nothing; a missing addon, an abstract socket or a failed send is
 * logged (once) and never thrown — notifying systemd must never take the gateway down.
 */
export class SdNotify {
  /** True when NOTIFY_SOCKET names a socket this notifier can send to. */
  readonly enabled: boolean;
  /** The watchdog ping interval (half of WATCHDOG_USEC), or null when systemd asked for none. */
  readonly watchdogIntervalMs: number | null;
  private readonly path: string | undefined;
  private socketFailed = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly once: LogOnce;

  constructor(private readonly deps: SdNotifyDeps) {
    this.once = new LogOnce({ log: deps.log, level: 'warn' });
    const path = deps.env.NOTIFY_SOCKET;
    if (path?.startsWith('@')) {
      deps.log.warn({ socket: path }, 'sd_notify: abstract NOTIFY_SOCKET is not supported; systemd will not see READY or the watchdog');
    }
    this.path = path && path.startsWith('/') ? path : undefined;
    this.enabled = this.path !== undefined;
    this.watchdogIntervalMs = this.enabled ? watchdogInterval(deps.env, deps.pid ?? process.pid, deps.log) : null;
  }

  /** READY=1 (with an optional STATUS=). Also the end of a reload. */
  ready(status?: string): void {
    this.send(status === undefined ? 'READY=1' : `READY=1\nSTATUS=${oneLine(status)}`);
  }

  /** RELOADING=1 with MONOTONIC_USEC (as Type=notify-reload requires); send ready() when done. */
  reloading(): void {
    const usec = (this.deps.monotonicUsec ?? (() => process.hrtime.bigint() / 1000n))();
    this.send(`RELOADING=1\nMONOTONIC_USEC=${usec}`);
  }

  /** RELOADING=1, runs `reload`, then READY=1 again whether it worked or not (it rethrows). */
  async reload<T>(reload: () => T | Promise<T>): Promise<T> {
    this.reloading();
    try {
      return await reload();
    } finally {
      this.ready();
    }
  }

  stopping(): void {
    this.stopWatchdog();
    this.send('STOPPING=1');
  }

  /** STATUS=…: the one line `systemctl status printgate` shows. */
  status(text: string): void {
    this.send(`STATUS=${oneLine(text)}`);
  }

  /** One WATCHDOG=1 now. */
  watchdog(): void {
    this.send('WATCHDOG=1');
  }

  /**
   * Pings WATCHDOG=1 now and every watchdogIntervalMs from a timer on the event loop (unref'd: it
   * keeps nothing alive). A no-op when systemd set no WatchdogSec= for this process.
   */
  startWatchdog(): void {
    if (this.watchdogIntervalMs === null || this.timer) return;
    this.watchdog();
    this.timer = setInterval(() => this.watchdog(), this.watchdogIntervalMs);
    this.timer.unref();
  }

  stopWatchdog(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Stops the watchdog; later calls still send (there is no socket held between messages). */
  close(): void {
    this.stopWatchdog();
  }

  /**
   * A socket per message, closed at once, as libsystemd's sd_notify does: the addon's socket is a
   * ref'd handle on the event loop, and one held open would keep a stopping process alive.
   */
  private send(message: string): void {
    if (!this.path || this.socketFailed) return;
    const report = (error: Error | undefined): void => {
      if (error) this.once.failed('send', { socket: this.path, err: describeSendError(error) }, 'sd_notify: send failed', error.message);
      else this.once.cleared('send', { socket: this.path }, 'sd_notify: sending again');
    };
    let socket: DatagramSocket;
    try {
      socket = (this.deps.openSocket ?? openUnixDgram)();
    } catch (error) {
      this.socketFailed = true;
      this.deps.log.warn(
        { socket: this.path, err: (error as Error).message },
        'sd_notify: no unix datagram socket (optional dependency unix-dgram missing?); systemd will not see READY or the watchdog',
      );
      return;
    }
    try {
      const buffer = Buffer.from(message);
      socket.on('error', report);
      socket.send(buffer, 0, buffer.length, this.path, report);
    } catch (error) {
      report(error as Error);
    } finally {
      try {
        socket.close();
      } catch {
        // a socket that cannot be closed has nothing more to tell
      }
    }
  }
}

/** unix-dgram reports errno as "send -2": name it (ENOENT) so the log line says something. */
function describeSendError(error: Error): string {
  const match = /^(\w+) (-\d+)$/.exec(error.message);
  if (!match) return error.message;
  const errno = -Number(match[2]);
  const name = Object.entries(osConstants.errno).find(([, value]) => value === errno)?.[0];
  return name ? `${match[1]}: ${name}` : error.message;
}

/** Half of WATCHDOG_USEC in ms, when the watchdog is meant for this process (WATCHDOG_PID unset or ours). */
export function watchdogInterval(env: SdNotifyEnv, pid: number, log: Logger): number | null {
  if (env.WATCHDOG_USEC === undefined || env.WATCHDOG_USEC === '') return null;
  if (env.WATCHDOG_PID !== undefined && env.WATCHDOG_PID !== '' && Number(env.WATCHDOG_PID) !== pid) return null;
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isInteger(usec) || usec <= 0) {
    log.warn({ WATCHDOG_USEC: env.WATCHDOG_USEC }, 'sd_notify: WATCHDOG_USEC is not a positive integer; no watchdog pings');
    return null;
  }
  return Math.max(1, Math.floor(usec / 2000));
}

const oneLine = (text: string): string => text.replace(/[\r\n]+/g, ' ');
