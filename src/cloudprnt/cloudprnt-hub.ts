import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { CloudPrntDelivery, CloudPrntMailbox } from '../driver-api/transport.js';
import { AppError } from '../errors/app-error.js';
import type { GroupStore } from '../printers/group-store.js';
import type { ProfileLookup } from '../printers/printer-profile.js';
import type { Printer, PrinterRegistry, PrinterStatus } from '../printers/printer-registry.js';
import { applyClientActions, firstContactRequests, needsFirstContact, type ClientActionRequest } from './client-actions.js';
import { blankDeviceInfo, type CloudPrntDeviceInfo, type CloudPrntStore } from './cloudprnt-store.js';
import { cloudPrntUri, macFromUri, normalizeMac } from './cloudprnt-uri.js';
import { mediaOffers, type SourceDocument } from './media-offers.js';
import { decodeStatusCode, pollReasons } from './poll-status.js';
import { runtimeLanguage, runtimeProfile } from './runtime-profile.js';

/** A printer that misses this many poll intervals is offline. */
export const OFFLINE_AFTER_POLLS = 3;
/** Star's default poll interval (mC-Print, TSP100IV) until the printer tells us its own. */
const DEFAULT_POLL_SECONDS = 5;
/** A first-contact question not answered within this long is asked again. */
const ASK_AGAIN_MS = 60_000;
const SWEEP_MS = 500;

export interface PollRequest {
  printerMAC?: unknown;
  statusCode?: unknown;
  status?: unknown;
  clientAction?: unknown;
}

export interface PollAnswer {
  jobReady: boolean;
  mediaTypes?: string[];
  jobToken?: string;
  deleteMethod?: 'DELETE';
  clientAction?: ClientActionRequest[];
}

interface Delivery {
  jobId: string;
  token: string;
  offers: Map<string, Uint8Array>;
  resolve(code: string): void;
  reject(error: Error): void;
}

/** What the hub knows of one printer between polls (memory only; the poll clock restarts with the gateway). */
interface Contact {
  lastPollMs: number | null;
  pending: Delivery | null;
  lastConfirmedToken: string | null;
  askedAtMs: number | null;
  offline: boolean;
}

export interface CloudPrntHubDeps {
  registry: PrinterRegistry;
  groups: GroupStore;
  store: CloudPrntStore;
  profiles: ProfileLookup;
  log: Logger;
  now: () => Date;
  /** The job as the client sent it, for media types the printer renders itself. */
  documentOf: (jobId: string) => Promise<SourceDocument | null>;
  /** A printer joined a group at run time: start its queue, tell webhooks. */
  onAdded: (printer: Printer) => void;
  /** A printer that was offline polls again: wake its queue. */
  onBack: (printer: Printer) => void;
}

const notFound = (group: string, mac: string): AppError =>
  new AppError('NOT_FOUND', `no CloudPRNT printer ${mac} in group "${group.slice(0, 64)}" (configure uri: cloudprnt:${mac}, or turn on AutoCreateDeviceQueue)`);

/**
 * The gateway as a Star CloudPRNT server. Printers POST a poll every few seconds; a job the
 * cloudprnt transport hands over (`deliver`) is announced on the next poll (`jobReady`), fetched
 * with GET in the media type the printer picks, and closed by the printer's DELETE, whose result
 * code settles the transport's promise. A printer that misses OFFLINE_AFTER_POLLS intervals is
 * `stopped`/`offline`; its job goes back to the queue and waits.
 */
export class CloudPrntHub implements CloudPrntMailbox {
  private readonly contacts = new Map<string, Contact>();
  private readonly startedMs: number;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: CloudPrntHubDeps) {
    this.startedMs = deps.now().getTime();
  }

  /** Puts the auto-created printers kept in the database back in the registry (before the dispatcher starts). */
  loadKnownPrinters(): void {
    for (const info of this.deps.store.list()) {
      const uri = cloudPrntUri(info.mac);
      if (this.printerFor(info.mac) || !this.deps.registry.hasRuntime('cloudprnt', uri)) continue;
      this.addPrinter(info);
    }
  }

  start(): void {
    this.timer ??= setInterval(() => this.sweep(), SWEEP_MS);
    this.timer.unref();
  }

  /** Stops the offline sweep. A job still waiting is re-queued by the dispatcher's own shutdown. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  // ---- the HTTP side ---------------------------------------------------------------------------

  /** POST: the printer's poll. */
  poll(groupPath: string, body: PollRequest): PollAnswer {
    const group = this.deps.groups.get(groupPath);
    const mac = normalizeMac(typeof body.printerMAC === 'string' ? body.printerMAC : '');
    if (!mac) throw new AppError('BAD_REQUEST', 'printerMAC is missing or not a MAC address', { details: { field: 'printerMAC' } });
    if (!group || !group.enabled) throw notFound(groupPath, mac);
    let printer = this.printerFor(mac);
    if (printer && printer.groupPath !== group.matchPath) throw notFound(groupPath, mac);
    // A RequireDeviceKey group's key was checked by the route before the poll got here.
    if (!printer && !group.autoCreateQueue) throw notFound(groupPath, mac);

    const nowMs = this.deps.now().getTime();
    const contact = this.contact(mac);
    const known = this.deps.store.get(mac);
    const info = applyClientActions(known ?? blankDeviceInfo(mac, group.matchPath), body.clientAction);
    if (!known || JSON.stringify(known) !== JSON.stringify({ ...info, groupPath: group.matchPath })) {
      this.deps.store.save({ ...info, groupPath: group.matchPath });
      if (printer && info.printWidthMM !== null && Math.abs(info.printWidthMM - printer.profile.printableWidthMM) >= 1) {
        // A configured printer prints at its configured width; say so once, when the printer tells us otherwise.
        this.deps.log.warn(
          { printerId: printer.id, mac, reportedMM: info.printWidthMM, configuredMM: printer.profile.printableWidthMM },
          'CloudPRNT printer reports another print width than its profile (config printers: set printableWidthMM; auto-created: applies at restart)',
        );
      }
    }
    const ask = needsFirstContact(info) && (contact.askedAtMs === null || nowMs - contact.askedAtMs > ASK_AGAIN_MS);
    if (ask) contact.askedAtMs = nowMs;
    // An unknown printer joins once it has said what it is (or declined to answer).
    if (!printer) {
      if (ask) return { jobReady: false, clientAction: firstContactRequests() };
      printer = this.addPrinter(info);
      this.deps.log.info({ printerId: printer.id, mac, group: group.matchPath }, 'CloudPRNT printer joined its group');
      this.deps.onAdded(printer);
    }

    contact.lastPollMs = nowMs;
    this.heard(printer, contact, pollReasons(body.statusCode, body.status));
    const answer: PollAnswer = { jobReady: false };
    if (ask) answer.clientAction = firstContactRequests();
    const pending = contact.pending;
    if (pending) Object.assign(answer, { jobReady: true, mediaTypes: [...pending.offers.keys()], jobToken: pending.token, deleteMethod: 'DELETE' });
    return answer;
  }

  /** GET: the printer fetches the announced job in a media type it picked. Side-effect free. */
  fetch(groupPath: string, query: { mac?: string; type?: string; token?: string }): { mediaType: string; bytes: Uint8Array } {
    const { contact } = this.known(groupPath, query.mac);
    const pending = contact.pending;
    if (!pending || (query.token && query.token !== pending.token)) throw new AppError('NOT_FOUND', 'no job is waiting for this printer');
    const offered = [...pending.offers.keys()];
    const mediaType = (query.type ?? offered[0] ?? '').split(';')[0]!.trim().toLowerCase();
    const bytes = pending.offers.get(mediaType);
    if (!bytes) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `this job is offered as ${offered.join(', ')}, not "${mediaType.slice(0, 100)}"`, { details: { accepted: offered } });
    }
    return { mediaType, bytes };
  }

  /** DELETE (or GET with `delete`): the printer's verdict on the job it fetched. */
  confirm(groupPath: string, query: { mac?: string; code?: string; token?: string }): void {
    const { mac, contact } = this.known(groupPath, query.mac);
    // Printers send the code URL-encoded like the poll's statusCode ("411%20Paper%20jam"); keep it as text.
    const code = decodeStatusCode(query.code);
    if (!/^\d{3}/.test(code)) throw new AppError('BAD_REQUEST', 'code must start with a 3-digit CloudPRNT status code', { details: { field: 'code' } });
    const pending = contact.pending;
    if (pending && (!query.token || query.token === pending.token)) {
      contact.lastConfirmedToken = pending.token;
      this.deps.log.info({ mac, jobId: pending.jobId, code }, 'CloudPRNT printer confirmed a job');
      pending.resolve(code);
      return;
    }
    // A repeated DELETE of the job just closed is harmless; anything else names no job.
    if (!query.token || query.token !== contact.lastConfirmedToken) throw new AppError('NOT_FOUND', 'no job is waiting for this printer');
  }

  // ---- the transport side ----------------------------------------------------------------------

  async deliver(mac: string, delivery: CloudPrntDelivery, signal: AbortSignal): Promise<string> {
    const contact = this.contact(mac);
    this.reachableOrThrow(mac, contact, true);
    if (contact.pending) throw new AppError('PRINTER_BUSY', `CloudPRNT printer ${mac} already has a job waiting`);
    const source = await this.deps.documentOf(delivery.jobId).catch(() => null);
    const offers = mediaOffers({ mediaType: delivery.mediaType, bytes: delivery.bytes }, source, this.deps.store.get(mac)?.encodings ?? null);
    signal.throwIfAborted();
    return new Promise<string>((resolve, reject) => {
      const onAbort = (): void => pending.reject(new AppError('SHUTTING_DOWN', 'the job was taken back from the CloudPRNT printer'));
      const settle = (): void => {
        signal.removeEventListener('abort', onAbort);
        if (contact.pending === pending) contact.pending = null;
      };
      const pending: Delivery = {
        jobId: delivery.jobId,
        token: randomBytes(16).toString('hex'),
        offers,
        resolve: (code) => {
          settle();
          resolve(code);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      contact.pending = pending;
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  reachable(mac: string): void {
    this.reachableOrThrow(mac, this.contact(mac), false);
  }

  // ---- inside ----------------------------------------------------------------------------------

  private printerFor(mac: string): Printer | undefined {
    return this.deps.registry.list().find((printer) => macFromUri(printer.uri) === mac);
  }

  private contact(mac: string): Contact {
    let contact = this.contacts.get(mac);
    if (!contact) {
      contact = { lastPollMs: null, pending: null, lastConfirmedToken: null, askedAtMs: null, offline: false };
      this.contacts.set(mac, contact);
    }
    return contact;
  }

  private known(groupPath: string, rawMac: string | undefined): { mac: string; contact: Contact } {
    const mac = normalizeMac(rawMac ?? '');
    if (!mac) throw new AppError('BAD_REQUEST', 'mac is missing or not a MAC address', { details: { field: 'mac' } });
    const printer = this.printerFor(mac);
    if (!printer || printer.groupPath !== groupPath) throw notFound(groupPath, mac);
    const contact = this.contact(mac);
    contact.lastPollMs = this.deps.now().getTime();
    return { mac, contact };
  }

  private windowMs(mac: string): number {
    const seconds = this.deps.store.get(mac)?.pollSeconds ?? DEFAULT_POLL_SECONDS;
    return Math.max(OFFLINE_AFTER_POLLS * seconds, 3) * 1000;
  }

  /** Polled within the window? Before the first poll since start, `graceFromStart` counts the start as one. */
  private reachableOrThrow(mac: string, contact: Contact, graceFromStart: boolean): void {
    const last = contact.lastPollMs ?? (graceFromStart ? this.startedMs : null);
    const silentMs = last === null ? null : this.deps.now().getTime() - last;
    if (silentMs !== null && silentMs <= this.windowMs(mac)) return;
    throw new AppError(
      'PRINTER_UNREACHABLE',
      silentMs === null || contact.lastPollMs === null
        ? `CloudPRNT printer ${mac} has not polled since the gateway started`
        : `CloudPRNT printer ${mac} has not polled for ${Math.round(silentMs / 1000)} s`,
    );
  }

  /** A poll: LastConnection, the status reasons, and back online if it was offline. */
  private heard(printer: Printer, contact: Contact, reasons: string[]): void {
    const status = this.deps.registry.status(printer.id);
    const change: Partial<PrinterStatus> = { lastSeenAt: this.deps.now().toISOString(), reasons };
    const wasOffline = status.state === 'stopped' && status.reasons.includes('offline');
    if (wasOffline) Object.assign(change, { state: 'idle', lastError: null });
    else if (status.state === 'stopped') change.reasons = [...new Set([...status.reasons.filter((r) => r !== 'offline'), ...reasons])];
    this.deps.registry.updateStatus(printer.id, change);
    if (contact.offline || wasOffline) {
      contact.offline = false;
      this.deps.log.info({ printerId: printer.id }, 'CloudPRNT printer polls again');
      this.deps.onBack(printer);
    }
  }

  /** Marks printers that stopped polling offline and takes their waiting job back. */
  private sweep(): void {
    for (const printer of this.deps.registry.list()) {
      const mac = macFromUri(printer.uri);
      if (!mac) continue;
      const contact = this.contact(mac);
      try {
        this.reachableOrThrow(mac, contact, true);
      } catch (error) {
        const message = (error as Error).message;
        if (!contact.offline) {
          contact.offline = true;
          this.deps.log.warn({ printerId: printer.id, mac }, 'CloudPRNT printer stopped polling');
          this.deps.registry.updateStatus(printer.id, { state: 'stopped', reasons: ['offline'], lastError: message });
        }
        contact.pending?.reject(error as Error);
      }
    }
  }

  private addPrinter(info: CloudPrntDeviceInfo): Printer {
    const language = runtimeLanguage(info);
    return this.deps.registry.addRuntime({
      name: `${info.clientType ?? 'CloudPRNT'} ${info.mac}`,
      groupPath: info.groupPath,
      uri: cloudPrntUri(info.mac),
      language,
      source: 'cloudprnt',
      profile: runtimeProfile(info, language, this.deps.profiles),
    });
  }
}
