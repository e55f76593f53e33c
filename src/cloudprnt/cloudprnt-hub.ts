import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import type { CloudPrntDelivery, CloudPrntMailbox } from '../driver-api/transport.js';
import { AppError } from '../errors/app-error.js';
import type { GroupStore } from '../printers/group-store.js';
import type { ProfileLookup } from '../printers/printer-profile.js';
import type { Printer, PrinterRegistry, PrinterStatus } from '../printers/printer-registry.js';
import { applyClientActions, firstContactRequests, needsFirstContact, type ClientActionRequest } from './client-actions.js';
import { blankDeviceInfo, type CloudPrntDeviceInfo, type CloudPrntStore } from './cloudprnt-store.js';
import { cloudPrntUri, macFromUri, normalizeMac } from './cloudprnt-uri.js';
import { DEFAULT_CLOUDPRNT_POLICY, JoinGate, type CloudPrntPolicy, type DeleteMethod } from './cloudprnt-policy.js';
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
/** Printers between their first poll and their answers, remembered in memory only, at most this many. */
const MAX_JOINING = 256;

export interface PollRequest {
  printerMAC?: unknown;
  statusCode?: unknown;
  status?: unknown;
  clientAction?: unknown;
}

/** Who sent a poll (the route fills it from the socket). */
export interface PollClient {
  address: string;
}

export interface PollAnswer {
  jobReady: boolean;
  mediaTypes?: string[];
  jobToken?: string;
  deleteMethod?: DeleteMethod;
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
  /** When the first-contact questions were last asked and not yet answered: only then are answers taken. */
  questionAtMs: number | null;
  /** The printer's poll interval as last known (kept here so the sweep reads no database). */
  pollSeconds: number | null;
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
  /** Admission of new printers, poll-interval bounds, confirmation method (defaults: DEFAULT_CLOUDPRNT_POLICY). */
  policy?: CloudPrntPolicy;
}

function newContact(pollSeconds: number | null): Contact {
  return { lastPollMs: null, pending: null, lastConfirmedToken: null, askedAtMs: null, questionAtMs: null, pollSeconds, offline: false };
}

/** Compares job tokens in constant time; a missing token never matches. */
function sameToken(given: string | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

const noJob = (token: string | undefined): AppError =>
  new AppError('NOT_FOUND', token ? 'no job is waiting for this printer under this token' : 'no job is waiting for this printer (the job token from the poll answer is required as token=)', {
    details: { field: 'token' },
  });

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
  /** Unknown printers asked their first-contact questions, by MAC (bounded; never in the database). */
  private readonly joining = new Map<string, Contact>();
  private readonly startedMs: number;
  private readonly policy: CloudPrntPolicy;
  private readonly gate: JoinGate;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: CloudPrntHubDeps) {
    this.startedMs = deps.now().getTime();
    this.policy = deps.policy ?? DEFAULT_CLOUDPRNT_POLICY;
    this.gate = new JoinGate(this.policy, () => deps.now().getTime());
  }

  /** How a group's printers confirm jobs (DELETE, or GET with &delete where configured). */
  deleteMethod(groupPath: string): DeleteMethod {
    return this.policy.deleteMethod(groupPath);
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
  poll(groupPath: string, body: PollRequest, client: PollClient): PollAnswer {
    const group = this.deps.groups.get(groupPath);
    const mac = normalizeMac(typeof body.printerMAC === 'string' ? body.printerMAC : '');
    if (!mac) throw new AppError('BAD_REQUEST', 'printerMAC is missing or not a MAC address', { details: { field: 'printerMAC' } });
    if (!group || !group.enabled) throw notFound(groupPath, mac);
    let printer = this.printerFor(mac);
    if (printer && printer.groupPath !== group.matchPath) throw notFound(groupPath, mac);
    // A RequireDeviceKey group's key was checked by the route before the poll got here.
    if (!printer && !group.autoCreateQueue) throw notFound(groupPath, mac);

    const nowMs = this.deps.now().getTime();
    let contact: Contact;
    if (printer) {
      contact = this.contact(mac);
    } else {
      // Refused before anything is stored: the network, the group's size, the rate of newcomers.
      this.gate.admit(group.matchPath, client.address, this.deps.registry.inGroup(group.matchPath).length);
      contact = this.joiner(mac, group.matchPath);
    }
    const known = this.deps.store.get(mac);
    const base = known ?? blankDeviceInfo(mac, group.matchPath);
    // Answers count only while a question is open: nobody can change what a printer said about itself uninvited.
    const answering = contact.questionAtMs !== null && nowMs - contact.questionAtMs <= ASK_AGAIN_MS && body.clientAction !== undefined;
    const info = answering ? applyClientActions(base, body.clientAction) : base;
    if (answering) contact.questionAtMs = null;
    info.pollSeconds = this.gate.clampPollSeconds(info.pollSeconds);
    contact.pollSeconds = info.pollSeconds;
    const ask = needsFirstContact(info) && (contact.askedAtMs === null || nowMs - contact.askedAtMs > ASK_AGAIN_MS);
    if (ask) contact.askedAtMs = contact.questionAtMs = nowMs;
    // An unknown printer joins once it has said what it is (or declined to answer).
    if (!printer) {
      if (ask) return { jobReady: false, clientAction: firstContactRequests() };
      this.gate.takeJoin(group.matchPath);
      this.joining.delete(`${group.matchPath}/${mac}`);
      this.contacts.set(mac, contact);
      this.deps.store.save({ ...info, groupPath: group.matchPath });
      printer = this.addPrinter({ ...info, groupPath: group.matchPath });
      this.deps.log.info({ printerId: printer.id, mac, group: group.matchPath }, 'CloudPRNT printer joined its group');
      this.deps.onAdded(printer);
    } else if (!known || JSON.stringify(known) !== JSON.stringify({ ...info, groupPath: group.matchPath })) {
      this.deps.store.save({ ...info, groupPath: group.matchPath });
      if (info.printWidthMM !== null && Math.abs(info.printWidthMM - printer.profile.printableWidthMM) >= 1) {
        // A configured printer prints at its configured width; say so once, when the printer tells us otherwise.
        this.deps.log.warn(
          { printerId: printer.id, mac, reportedMM: info.printWidthMM, configuredMM: printer.profile.printableWidthMM },
          'CloudPRNT printer reports another print width than its profile (config printers: set printableWidthMM; auto-created: applies at restart)',
        );
      }
    }

    contact.lastPollMs = nowMs;
    this.heard(printer, contact, pollReasons(body.statusCode, body.status));
    const answer: PollAnswer = { jobReady: false };
    if (ask) answer.clientAction = firstContactRequests();
    const pending = contact.pending;
    if (pending) {
      Object.assign(answer, { jobReady: true, mediaTypes: [...pending.offers.keys()], jobToken: pending.token, deleteMethod: this.policy.deleteMethod(group.matchPath) });
    }
    return answer;
  }

  /** GET: the printer fetches the announced job in a media type it picked. Side-effect free. Needs the job's token. */
  fetch(groupPath: string, query: { mac?: string; type?: string; token?: string }): { mediaType: string; bytes: Uint8Array } {
    const { contact } = this.known(groupPath, query.mac);
    const pending = contact.pending;
    if (!pending || !sameToken(query.token, pending.token)) throw noJob(query.token);
    const offered = [...pending.offers.keys()];
    const mediaType = (query.type ?? offered[0] ?? '').split(';')[0]!.trim().toLowerCase();
    const bytes = pending.offers.get(mediaType);
    if (!bytes) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `this job is offered as ${offered.join(', ')}, not "${mediaType.slice(0, 100)}"`, { details: { accepted: offered } });
    }
    return { mediaType, bytes };
  }

  /** DELETE (or GET with `delete`, where the group confirms with GET): the printer's verdict on the job it fetched, under its token. */
  confirm(groupPath: string, query: { mac?: string; code?: string; token?: string }): void {
    const { mac, contact } = this.known(groupPath, query.mac);
    // Printers send the code URL-encoded like the poll's statusCode ("411%20Paper%20jam"); keep it as text.
    const code = decodeStatusCode(query.code);
    if (!/^\d{3}/.test(code)) throw new AppError('BAD_REQUEST', 'code must start with a 3-digit CloudPRNT status code', { details: { field: 'code' } });
    const pending = contact.pending;
    if (pending && sameToken(query.token, pending.token)) {
      contact.lastConfirmedToken = pending.token;
      this.deps.log.info({ mac, jobId: pending.jobId, code }, 'CloudPRNT printer confirmed a job');
      pending.resolve(code);
      return;
    }
    // A repeated DELETE of the job just closed is harmless; anything else names no job.
    if (contact.lastConfirmedToken === null || !sameToken(query.token, contact.lastConfirmedToken)) throw noJob(query.token);
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
      contact = newContact(this.deps.store.get(mac)?.pollSeconds ?? null);
      this.contacts.set(mac, contact);
    }
    return contact;
  }

  /** The in-memory contact of a printer that is not registered yet (the oldest is forgotten past MAX_JOINING). */
  private joiner(mac: string, groupPath: string): Contact {
    const key = `${groupPath}/${mac}`;
    let contact = this.joining.get(key);
    if (!contact) {
      if (this.joining.size >= MAX_JOINING) this.joining.delete(this.joining.keys().next().value!);
      contact = newContact(null);
      this.joining.set(key, contact);
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

  private windowMs(contact: Contact): number {
    const seconds = contact.pollSeconds ?? DEFAULT_POLL_SECONDS;
    return Math.max(OFFLINE_AFTER_POLLS * seconds, 3) * 1000;
  }

  /** Polled within the window? Before the first poll since start, `graceFromStart` counts the start as one. */
  private reachableOrThrow(mac: string, contact: Contact, graceFromStart: boolean): void {
    const last = contact.lastPollMs ?? (graceFromStart ? this.startedMs : null);
    const silentMs = last === null ? null : this.deps.now().getTime() - last;
    if (silentMs !== null && silentMs <= this.windowMs(contact)) return;
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
