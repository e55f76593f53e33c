import { macFromUri } from '../cloudprnt/cloudprnt-uri.js';
import { isPrintedCode, parseResultCode } from '../cloudprnt/result-code.js';
import type { JobEvents } from '../jobs/job-events.js';
import type { Job } from '../jobs/job-store.js';
import { ERROR_CODES, isErrorCode } from '../errors/codes.js';
import type { GroupStore } from '../printers/group-store.js';
import type { Printer, PrinterRegistry, PrinterStatus } from '../printers/printer-registry.js';
import type { StarEnvelope } from './star-envelope.js';
import { starStatus } from './star-status.js';
import type { WebhookOutbox } from './webhook-outbox.js';

/** What a language sends to the printer, as Star's `RequestedMediaType` names it. */
const MEDIA_TYPES: Readonly<Record<string, string>> = {
  escpos: 'application/vnd.escpos',
  starprnt: 'application/vnd.star.starprnt',
  starline: 'application/vnd.star.line',
  zpl: 'application/vnd.zebra.zpl',
  pdf: 'application/pdf',
  raw: 'application/octet-stream',
};

export interface WebhookEventsDeps {
  events: JobEvents;
  registry: PrinterRegistry;
  groups: GroupStore;
  outbox: WebhookOutbox;
}

/** The Star envelope for an event about a device. */
export function deviceEnvelope(groups: GroupStore, printer: Printer, eventType: string, subType: string, eventData?: Record<string, unknown>): StarEnvelope {
  const group = groups.get(printer.groupPath);
  return {
    EventType: eventType,
    SubType: subType,
    DeviceGroup: { Path: printer.groupPath, Name: group?.name ?? printer.groupPath },
    Device: { Mac: macFromUri(printer.uri) ?? '', Name: groups.deviceName(printer.id) ?? printer.name, AppID: printer.appId },
    ...(eventData ? { EventData: eventData } : {}),
  };
}

/** Star's job sub-type for a job state change, or null when Star has none (canceled, held, re-queued). */
export function jobSubType(job: Job): 'received' | 'requested' | 'completed' | 'failed' | null {
  switch (job.state) {
    case 'pending':
      return job.attempts === 0 && job.stateReason === null ? 'received' : null;
    case 'processing':
      return 'requested';
    case 'completed':
      return 'completed';
    case 'aborted':
      return 'failed';
    default:
      return null;
  }
}

interface StarCode {
  Code: number;
  CodeDescription: string;
}

/** job/completed: the printer's own 2xx (CloudPRNT "211 Paper low"), or 200 OK when it reports none. */
export function completionCode(job: Job): StarCode {
  const result = parseResultCode(job.printerCode);
  return result && isPrintedCode(result) ? { Code: result.code, CodeDescription: result.description } : { Code: 200, CodeDescription: 'OK' };
}

/**
 * job/failed: the printer's own failure code (CloudPRNT "411 Paper jam"); for a job that failed
 * without one (other transports, a document that cannot be rendered), the HTTP status of
 * printgate's error code and the job's stateReason.
 */
export function failureCode(job: Job): StarCode {
  const result = parseResultCode(job.printerCode);
  if (result && !isPrintedCode(result)) return { Code: result.code, CodeDescription: result.description };
  const code = (job.stateReason ?? '').toUpperCase().replace(/-/g, '_');
  const status = code === 'PRINTER_OFFLINE' ? 503 : isErrorCode(code) ? ERROR_CODES[code].status : 500;
  return { Code: status, CodeDescription: job.stateReason ?? 'failed' };
}

/**
 * Turns job and printer changes into Star webhook events in the outbox. Listeners only insert a
 * row (one short SQLite write), so printing never waits for a receiver.
 */
export function subscribeWebhookEvents(deps: WebhookEventsDeps): () => void {
  const { registry, groups, outbox } = deps;
  const lastOnline = new Map<string, string>();
  for (const printer of registry.list()) lastOnline.set(printer.id, JSON.stringify(starStatus(registry.status(printer.id))));

  const offJobs = deps.events.on((job) => {
    const sub = jobSubType(job);
    const printer = registry.get(job.printerId);
    if (!sub || !printer) return;
    const data: Record<string, unknown> = { JobName: job.name, JobId: job.id };
    if (sub === 'requested') data.RequestedMediaType = MEDIA_TYPES[printer.language] ?? 'application/octet-stream';
    if (sub === 'completed') Object.assign(data, completionCode(job));
    if (sub === 'failed') Object.assign(data, failureCode(job));
    outbox.enqueue(printer.groupPath, deviceEnvelope(groups, printer, 'job', sub, data));
  });

  const offStatus = registry.onStatusChange((printer: Printer, status: PrinterStatus) => {
    const flags = starStatus(status);
    const key = JSON.stringify(flags);
    // processing ↔ idle changes no flag: only real status changes become events.
    if (lastOnline.get(printer.id) === key) return;
    lastOnline.set(printer.id, key);
    try {
      outbox.enqueue(printer.groupPath, deviceEnvelope(groups, printer, 'status', flags.Online ? 'online' : 'offline', { Status: flags }));
    } catch {
      // Only while shutting down (database closed); a status listener must never stop a worker.
    }
  });

  return () => {
    offJobs();
    offStatus();
  };
}
