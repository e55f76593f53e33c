import type { Logger } from 'pino';
import type { Advertisement } from '../discovery/mdns-advertiser.js';
import type { AdvertisedService } from '../discovery/mdns-records.js';
import type { Printer } from '../printers/printer-registry.js';
import { urfKeywords } from './ipp-printer-attributes.js';
import { printerFacts } from './ipp-printer-view.js';
import type { IppServer } from './ipp-server.js';

/** The part of MdnsAdvertiser the announcer uses. */
export interface ServiceAdvertiser {
  readonly hostName: string;
  publish(service: AdvertisedService): Promise<Advertisement>;
}

export interface IppAnnouncerDeps {
  advertiser: ServiceAdvertiser;
  server: Pick<IppServer, 'shared' | 'view' | 'port'>;
  instanceName: (printer: Printer) => string;
  /** The gateway's HTTP port: adminurl is its status page. */
  statusPort: () => number;
  tls: boolean;
  requireKey: boolean;
  log: Logger;
  /** How often printers that joined or left are announced or withdrawn. */
  refreshMs?: number;
}

const KINDS = { receipt: 'receipt', label: 'label', document: 'document' } as const;

/**
 * The TXT record IPP Everywhere (PWG 5100.14 §4.2) and AirPrint clients read: where the printer is
 * (rp), what it is (ty, product, kind), what it takes (pdl, URF), its UUID, colour, duplex, TLS,
 * whether it wants credentials (air), and its web page (adminurl: the gateway's status page).
 */
export function ippTxt(input: { printer: Printer; makeAndModel: string; formats: string[]; urf: string[]; kind: keyof typeof KINDS; tls: boolean; requireKey: boolean; adminUrl: string }): Record<string, string> {
  const pdl = input.formats.filter((format) => format !== 'application/octet-stream').join(',');
  return {
    txtvers: '1',
    qtotal: '1',
    rp: `ipp/print/${input.printer.appId}`,
    ty: input.makeAndModel.slice(0, 200),
    product: `(${input.makeAndModel.slice(0, 200)})`,
    note: `group ${input.printer.groupPath}`.slice(0, 200),
    pdl: pdl.slice(0, 240),
    UUID: input.printer.uuid,
    URF: input.urf.length > 0 ? input.urf.join(',') : 'none',
    kind: KINDS[input.kind],
    Color: 'F',
    Duplex: 'F',
    ...(input.tls ? { TLS: '1.2' } : {}),
    air: input.requireKey ? 'username,password' : 'none',
    adminurl: input.adminUrl.slice(0, 240),
    priority: '50',
  };
}

/**
 * Announces each IPP printer as `_ipp._tcp` (and `_ipps._tcp` with TLS) with the `_print` and
 * `_universal` subtypes, on the advertiser's interfaces only; printers that join or leave are
 * announced or withdrawn within refreshMs; stop() withdraws every one with a goodbye.
 */
export class IppAnnouncer {
  private readonly published = new Map<string, Advertisement[]>();
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: IppAnnouncerDeps) {}

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.deps.refreshMs ?? 30_000);
    this.timer.unref();
  }

  refresh(): Promise<void> {
    this.refreshing = this.refreshing.then(() => this.sync()).catch((error: unknown) => this.deps.log.warn({ err: error }, 'ipp announcement failed'));
    return this.refreshing;
  }

  private async sync(): Promise<void> {
    const printers = new Map(this.deps.server.shared().map((printer) => [printer.id, printer]));
    for (const [id, ads] of this.published) {
      if (printers.has(id)) continue;
      this.published.delete(id);
      await Promise.all(ads.map((ad) => ad.withdraw()));
    }
    for (const printer of printers.values()) {
      if (this.published.has(printer.id)) continue;
      const facts = printerFacts(this.deps.server.view(printer), 2000);
      const txt = ippTxt({
        printer,
        makeAndModel: facts.makeAndModel,
        formats: facts.formats,
        urf: facts.formats.includes('image/urf') ? urfKeywords(facts) : [],
        kind: facts.kind,
        tls: this.deps.tls,
        requireKey: this.deps.requireKey,
        adminUrl: `http://${this.deps.advertiser.hostName}:${this.deps.statusPort()}/`,
      });
      const instance = this.deps.instanceName(printer);
      const types = ['_ipp._tcp', ...(this.deps.tls ? ['_ipps._tcp'] : [])];
      const ads = await Promise.all(types.map((type) => this.deps.advertiser.publish({ instance, type, port: this.deps.server.port, txt, subtypes: ['_print', '_universal'] })));
      this.published.set(printer.id, ads);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.refreshing;
    const all = [...this.published.values()].flat();
    this.published.clear();
    await Promise.all(all.map((ad) => ad.withdraw()));
  }
}
