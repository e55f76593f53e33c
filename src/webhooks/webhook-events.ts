import { macFromUri } from '../cloudprnt/cloudprnt-uri.js';
import { isPrintedCode, parseResultCode } from '../cloudprnt/result-code.js';
import type { JobEvents } from '../jobs/job-events.js';
import type { Job } from '../jobs/job-store.js';
import { ERROR_CODES } from '../errors/codes.js';
import type { DevicesService } from '../printers/devices-service.js';
import type { GroupStore } from '../printers/group-store.js';
import type { Printer, PrinterRegistry, PrinterStatus } from '../printers/printer-registry.js';
import type { StarEnvelope } from './star-envelope.js';
import { starStatus } from './star-status.js';
import type { WebhookOutbox } from './webhook-outbox.js';

export interface WebhookEventsDeps {
  events: JobEvents;
  registry: PrinterRegistry;
  /** Devices joining (connection/added_new, added_renew) and leaving (connection/deleted_complete). */
  devices: Pick<DevicesService, 'on'>;
  groups: GroupStore;
  outbox: WebhookOutbox;
  /** What the printer's language sends it, as a media type (Star's RequestedMediaType). */
  mediaTypeOf: (printer: Printer) => string;
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
  const status = job.errorCode !== null ? ERROR_CODES[job.errorCode].status : 500;
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
    if (!sub || !printer || !outbox.wants(printer.groupPath, 'job')) return;
    const data: Record<string, unknown> = { JobName: job.name, JobId: job.id };
    if (sub === 'requested') data.RequestedMediaType = deps.mediaTypeOf(printer);
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
      if (outbox.wants(printer.groupPath, 'status')) outbox.enqueue(printer.groupPath, deviceEnvelope(groups, printer, 'status', flags.Online ? 'online' : 'offline', { Status: flags }));
    } catch {
      // Only while shutting down (database closed); a status listener must never stop a worker.
    }
  });

  const offDevices = deps.devices.on((event, printer, status) => {
    const sub = event === 'deleted_complete' ? 'deleted_complete' : event;
    if (outbox.wants(printer.groupPath, 'connection')) outbox.enqueue(printer.groupPath, deviceEnvelope(groups, printer, 'connection', sub, { Status: starStatus(status) }));
    if (event === 'deleted_complete') lastOnline.delete(printer.id);
    else lastOnline.set(printer.id, JSON.stringify(starStatus(status)));
  });

  return () => {
    offJobs();
    offStatus();
    offDevices();
  };
}
