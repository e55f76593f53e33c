import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { blockingReasons, type Language, type StatusQuery, type Transport } from '../driver-api/index.js';
import type { Printer, PrinterStatuses } from '../printers/printer-registry.js';

/** What one status query found. */
export type StatusCheck =
  /** The printer answered; nothing in `reasons` stops it (media-low may be there). */
  | { kind: 'ready'; reasons: string[] }
  /** The printer answered with reasons that stop it: paper out, cover open, ... */
  | { kind: 'blocked'; reasons: string[]; blocking: string[] }
  /** No (recognisable) answer within jobs.statusTimeoutMs. */
  | { kind: 'silent' };

export interface StatusCheckerDeps {
  printer: Printer;
  transport: Transport;
  language: Language;
  registry: PrinterStatuses;
  log: Logger;
  config: Readonly<Config>;
  now: () => Date;
}

/** Silent answers in a row after which a printer that used to answer counts as one that does not. */
const MISSES_BEFORE_SILENT = 3;
/** A silent printer is asked again after this long (or jobs.statusPollMs if longer). */
const SILENCE_RECHECK_MS = 60_000;

/**
 * Asks one printer for its status in its language's way (ESC/POS DLE EOT, Star ASB, ZPL ~HS) over
 * its transport's back-channel, and writes the reasons into the registry. Remembers whether the
 * printer answers at all: a device that stays silent (a plain TCP sink, a printer with the
 * back-channel switched off) is asked again only after a minute (or jobs.statusPollMs), so it is not slowed down.
 */
export class StatusChecker {
  private readonly query: StatusQuery | null;
  private support: 'unknown' | 'answers' | 'silent' = 'unknown';
  private misses = 0;
  private silentSince = 0;
  private lastAnswerMs: number | null = null;

  constructor(private readonly deps: StatusCheckerDeps) {
    const { printer, transport, language } = deps;
    const usable = printer.statusQuery === 'auto' && printer.profile.statusProtocol !== 'none' && typeof transport.query === 'function';
    this.query = usable ? (language.statusQuery ?? null) : null;
  }

  /** The printer's language and transport can ask, and the configuration allows it. */
  get enabled(): boolean {
    return this.query !== null;
  }

  /** The printer has answered and not fallen silent since. */
  get answers(): boolean {
    return this.support === 'answers';
  }

  /** Worth asking now: enabled, and not a printer known to stay silent (that knowledge expires). */
  shouldAsk(): boolean {
    if (!this.query) return false;
    if (this.support !== 'silent') return true;
    return this.deps.now().getTime() - this.silentSince >= Math.max(this.deps.config.jobs.statusPollMs, SILENCE_RECHECK_MS);
  }

  /** The request, completeness test and time limit of this printer's status query (null when it is not asked). */
  get request(): { bytes: Uint8Array; isComplete: (reply: Uint8Array) => boolean; timeoutMs: number } | null {
    const query = this.query;
    return query ? { bytes: query.request, isComplete: (reply) => query.parse(reply).complete, timeoutMs: this.deps.config.jobs.statusTimeoutMs } : null;
  }

  /** When the printer last answered a status query (ms since the epoch, the injected clock), or null. */
  get answeredAt(): number | null {
    return this.lastAnswerMs;
  }

  /** Asks once on a connection of its own. Rejects with the transport's DriverError when the printer cannot be reached. */
  async check(signal: AbortSignal): Promise<StatusCheck> {
    const query = this.query;
    if (!query || !this.deps.transport.query) return { kind: 'silent' };
    const reply = await this.deps.transport.query(query.request, (bytes) => query.parse(bytes).complete, signal, this.deps.config.jobs.statusTimeoutMs);
    return this.interpret(reply);
  }

  /** Reads a status reply (got on its own connection or on a job's), keeping the registry and what is known of the printer current. */
  interpret(reply: Uint8Array): StatusCheck {
    const query = this.query;
    if (!query) return { kind: 'silent' };
    const { printer, registry, log } = this.deps;
    const reading = query.parse(reply);
    if (!reading.complete || reading.unrecognised) {
      this.misses += 1;
      if (this.support !== 'silent' && (this.support === 'unknown' || this.misses >= MISSES_BEFORE_SILENT)) {
        this.support = 'silent';
        log.info({ printerId: printer.id, query: query.name, replyBytes: reply.length }, 'printer does not answer status queries; jobs complete unconfirmed');
      }
      if (this.support === 'silent') this.silentSince = this.deps.now().getTime();
      return { kind: 'silent' };
    }
    if (this.support !== 'answers') log.info({ printerId: printer.id, query: query.name }, 'printer answers status queries');
    this.support = 'answers';
    this.misses = 0;
    this.lastAnswerMs = this.deps.now().getTime();
    const blocking = blockingReasons(reading.reasons);
    const before = registry.status(printer.id);
    registry.updateStatus(printer.id, {
      state: blocking.length > 0 ? 'stopped' : before.state === 'stopped' ? 'idle' : before.state,
      reasons: reading.reasons,
      lastSeenAt: this.deps.now().toISOString(),
      lastError: blocking.length > 0 ? `the printer reports ${blocking.join(', ')}` : null,
    });
    return blocking.length > 0 ? { kind: 'blocked', reasons: reading.reasons, blocking } : { kind: 'ready', reasons: reading.reasons };
  }
}
