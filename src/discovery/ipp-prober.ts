import { LogOnce, type DiscoveryLogger } from './discovery-logger.js';
import type { GetPrinterAttributes } from './ipp-attributes-client.js';
import { ippFactsOf, type IppFacts } from './ipp-facts.js';

export interface ProbeResult {
  facts: IppFacts | null;
  error: string | null;
}

export interface IppProberDeps {
  get: GetPrinterAttributes;
  log: DiscoveryLogger;
  /** A URI is asked again this long after its last answer (live state and reasons). */
  intervalMs: number;
  /** Called after each probe finishes. */
  onResult(uri: string): void;
  /** Probes in flight at most (default 4). */
  concurrency?: number;
  /** URIs kept at most (default 512); more are not probed. */
  maxEntries?: number;
}

interface Entry {
  result: ProbeResult | null;
  lastAt: number;
  inFlight: boolean;
}

/**
 * Get-Printer-Attributes for every IPP service found, a few at a time, each bounded by the client's
 * deadline; again every interval for live state. A failure is logged once per URI and kept as the
 * result (the device is still reported from what mDNS said); garbage or silence never throws here.
 */
export class IppProber {
  private readonly entries = new Map<string, Entry>();
  private readonly queue: string[] = [];
  private readonly logOnce: LogOnce;
  private readonly controller = new AbortController();
  private active = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: IppProberDeps) {
    this.logOnce = new LogOnce(deps.log);
  }

  start(): void {
    this.timer = setInterval(() => this.requeueStale(), 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.queue.length = 0;
    this.controller.abort();
  }

  /** Makes sure `uri` is probed (at once when it is new). */
  want(uri: string): void {
    if (this.entries.has(uri) || this.controller.signal.aborted) return;
    if (this.entries.size >= (this.deps.maxEntries ?? 512)) {
      this.logOnce.warn('probe-full', { limit: this.deps.maxEntries ?? 512 }, 'too many IPP printers to probe: the rest are reported from mDNS only');
      return;
    }
    this.entries.set(uri, { result: null, lastAt: 0, inFlight: false });
    this.enqueue(uri);
  }

  /** The latest result, or undefined while the first probe has not finished. */
  result(uri: string): ProbeResult | undefined {
    return this.entries.get(uri)?.result ?? undefined;
  }

  /** True while `uri` is wanted but has no result yet. */
  pending(uri: string): boolean {
    const entry = this.entries.get(uri);
    return entry !== undefined && entry.result === null;
  }

  /** Forgets URIs no service uses any more. */
  retain(uris: ReadonlySet<string>): void {
    for (const uri of this.entries.keys()) if (!uris.has(uri)) this.entries.delete(uri);
  }

  private enqueue(uri: string): void {
    if (!this.queue.includes(uri)) this.queue.push(uri);
    this.pump();
  }

  private requeueStale(): void {
    const now = Date.now();
    for (const [uri, entry] of this.entries) {
      if (!entry.inFlight && entry.result !== null && now - entry.lastAt >= this.deps.intervalMs) this.enqueue(uri);
    }
  }

  private pump(): void {
    while (this.active < (this.deps.concurrency ?? 4) && this.queue.length > 0) {
      const uri = this.queue.shift() as string;
      const entry = this.entries.get(uri);
      if (!entry || entry.inFlight) continue;
      entry.inFlight = true;
      this.active += 1;
      void this.probe(uri, entry).finally(() => {
        this.active -= 1;
        entry.inFlight = false;
        entry.lastAt = Date.now();
        if (!this.controller.signal.aborted) {
          this.deps.onResult(uri);
          this.pump();
        }
      });
    }
  }

  private async probe(uri: string, entry: Entry): Promise<void> {
    try {
      const attributes = await this.deps.get(uri, this.controller.signal);
      entry.result = { facts: ippFactsOf(attributes), error: null };
      this.logOnce.clear(`probe:${uri}`);
    } catch (error) {
      const message = (error as Error)?.message ?? String(error);
      entry.result = { facts: entry.result?.facts ?? null, error: message.slice(0, 200) };
      this.logOnce.warn(`probe:${uri}`, { uri, err: entry.result.error }, 'ipp probe failed');
    }
  }
}
