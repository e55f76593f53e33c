import type { Logger } from 'pino';
import { AppError } from '../errors/app-error.js';
import type { GroupStore } from './group-store.js';
import { sameDeviceUri, type DiscoveredPrinter, type Printer, type PrinterRegistry, type PrinterStatus, type RuntimePrinter } from './printer-registry.js';

/** Who is asking: a key limited to groups sees only their printers (empty = all). */
export interface DeviceViewer {
  readonly groups: readonly string[];
}

export function canSee(viewer: DeviceViewer, groupPath: string): boolean {
  return viewer.groups.length === 0 || viewer.groups.includes(groupPath);
}

/** What the job engine does for the device use cases: it owns the printers' workers. */
export interface PrinterEngine {
  /** Starts the queue of a printer that joined at run time. */
  addPrinter(printer: Printer): void;
  /** Stops the printer's worker; the job on the wire gets `graceMs` before it is re-queued (0: it was canceled). */
  removePrinter(printerId: string, graceMs?: number): Promise<void>;
}

/** Star's webhook vocabulary for a device joining or leaving: connection/added_new, added_renew, deleted_complete. */
export type DeviceEvent = 'added_new' | 'added_renew' | 'deleted_complete';
export type DeviceListener = (event: DeviceEvent, printer: Printer, status: PrinterStatus) => void;

export interface DevicesServiceDeps {
  registry: PrinterRegistry;
  groups: GroupStore;
  engine: PrinterEngine;
  /** Cancels a printer's waiting and held jobs (the jobs service's flush). */
  flushQueue: (printerId: string) => string[];
  /** How long a job on the wire may finish when its printer's worker restarts (server.shutdownGraceSeconds). */
  graceMs?: number;
  log: Logger;
}


/**
 * The device use cases, below HTTP: find printers as a viewer may see them, add one found at run
 * time (its queue starts, webhooks hear of it), remove one (its queue is emptied and its worker
 * stopped first), rename, renew its AccessIdentifier.
 */
export class DevicesService {
  private readonly listeners = new Set<DeviceListener>();

  constructor(private readonly deps: DevicesServiceDeps) {}

  list(viewer: DeviceViewer): Printer[] {
    return this.deps.registry.list().filter((printer) => canSee(viewer, printer.groupPath));
  }

  /** A printer by id, or NOT_FOUND (a printer of another group does not exist for this viewer). */
  get(id: string, viewer: DeviceViewer): Printer {
    const printer = this.deps.registry.get(id);
    if (!printer || !canSee(viewer, printer.groupPath)) throw new AppError('NOT_FOUND', `no printer ${id.slice(0, 64)}`);
    return printer;
  }

  /** Star's device path /v1/a/{group}/d/{appId}. */
  byAppId(groupPath: string, appId: string, viewer: DeviceViewer): Printer {
    if (!canSee(viewer, groupPath) || !this.deps.groups.get(groupPath)) throw new AppError('NOT_FOUND', `no device group "${groupPath.slice(0, 64)}"`);
    const printer = this.deps.registry.findByAppId(groupPath, appId);
    if (!printer) throw new AppError('NOT_FOUND', `no device "${appId.slice(0, 64)}" in group "${groupPath}"`);
    return printer;
  }

  inGroup(groupPath: string): Printer[] {
    return this.deps.registry.inGroup(groupPath);
  }

  status(id: string): PrinterStatus {
    return this.deps.registry.status(id);
  }

  /** The Star device name (RequestIdChange), else the printer's own name. */
  displayName(printer: Printer): string {
    return this.deps.groups.deviceName(printer.id) ?? printer.name;
  }

  /** A printer found at run time (a CloudPRNT printer joining its group): kept, its queue started, announced. */
  add(input: RuntimePrinter): Printer {
    const known = this.deps.registry.hasRuntime(input.source, input.uri);
    const printer = this.deps.registry.addRuntime(input);
    this.joined(printer, known ? 'added_renew' : 'added_new');
    return printer;
  }

  /**
   * A device discovery found (or found again): a new printer starts its queue and is announced
   * (connection/added_new); one seen before comes back (added_renew) and follows the device to a
   * new address or language, its worker restarted; a configured printer is only recognised.
   */
  async discovered(device: DiscoveredPrinter): Promise<Printer | null> {
    const { printer, outcome } = this.deps.registry.upsertDiscovered(device);
    if (!printer) return null;
    if (outcome === 'new') {
      this.deps.log.info({ printerId: printer.id, uri: printer.uri, identity: device.identity, language: printer.language, profile: printer.profile.id }, 'printer discovered');
      this.joined(printer, 'added_new');
    } else if (outcome === 'changed') {
      this.deps.log.info({ printerId: printer.id, uri: printer.uri, identity: device.identity }, 'discovered printer changed: it is driven at its new address or language');
      await this.deps.engine.removePrinter(printer.id, this.deps.graceMs);
      this.joined(printer, 'added_renew');
    } else if (outcome === 'returned') {
      this.joined(printer, 'added_renew');
    } else if (outcome === 'configured' && ![device.uri, ...device.otherUris].some((uri) => sameDeviceUri(uri, printer.uri))) {
      this.deps.log.warn({ printerId: printer.id, configured: printer.uri, found: device.uri }, 'a configured printer answers at another address now: update printers[].uri');
    }
    return printer;
  }

  /** Discovery lost a device (goodbye, expiry, unplugged): the printer stays, offline, with its queue. */
  lost(identity: string, reason: string): void {
    const printer = this.deps.registry.byIdentity(identity);
    if (!printer || printer.source === 'config') return;
    this.deps.registry.updateStatus(printer.id, { state: 'stopped', reasons: ['offline'], lastError: `discovery lost it (${reason}); its jobs wait until it is back` });
    this.deps.log.warn({ printerId: printer.id, identity, reason }, 'discovered printer gone; its queue is kept');
  }

  /** A technician forgets a discovered printer: queue emptied, worker stopped, identity ignored by discovery from now on. */
  async forget(id: string): Promise<Printer> {
    const printer = this.deps.registry.get(id);
    if (!printer) throw new AppError('NOT_FOUND', `no printer ${id.slice(0, 64)}`);
    if (printer.source === 'config' || printer.source === 'cloudprnt') {
      throw new AppError('CONFLICT', `printer ${id} is ${printer.source === 'config' ? 'configured: remove it from printers[] in the config file' : 'a CloudPRNT printer: delete it (DELETE /v1/a/{group}/d/{appId})'}`);
    }
    const status = this.deps.registry.status(id);
    this.deps.flushQueue(id);
    await this.deps.engine.removePrinter(id);
    this.deps.registry.forget(id);
    this.deps.log.info({ printerId: id, identity: printer.identity }, 'discovered printer forgotten');
    for (const listener of this.listeners) listener('deleted_complete', printer, status);
    return printer;
  }

  /** A printer already put in the registry (by the CloudPRNT hub) joined: its queue starts, webhooks hear of it. */
  joined(printer: Printer, event: 'added_new' | 'added_renew' = 'added_new'): void {
    this.deps.engine.addPrinter(printer);
    this.emit(event, printer);
  }

  /** Star's DELETE device: waiting jobs canceled, the worker stopped, the printer forgotten, webhooks told. */
  async remove(id: string): Promise<Printer> {
    const printer = this.deps.registry.get(id);
    if (!printer) throw new AppError('NOT_FOUND', `no printer ${id.slice(0, 64)}`);
    const status = this.deps.registry.status(id);
    const canceled = this.deps.flushQueue(id);
    await this.deps.engine.removePrinter(id);
    this.deps.registry.remove(id);
    this.deps.log.info({ printerId: id, canceledJobs: canceled.length }, 'device removed');
    for (const listener of this.listeners) listener('deleted_complete', printer, status);
    return printer;
  }

  rename(printer: Printer, name: string): void {
    this.deps.groups.setDeviceName(printer.id, name);
  }

  /** Star's GenerateNewAccessID; CONFLICT when the config pins the AccessIdentifier. */
  renewAppId(printer: Printer): Printer {
    if (printer.appIdFixed) {
      throw new AppError('CONFLICT', `the AccessIdentifier of ${printer.id} is fixed by the config (printers[].appId); change it there`, {
        details: { field: 'GenerateNewAccessID' },
      });
    }
    const renewed = this.deps.registry.renewAppId(printer.id) ?? printer;
    this.deps.log.info({ printerId: printer.id }, 'device AccessIdentifier renewed');
    return renewed;
  }

  on(listener: DeviceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(event: DeviceEvent, printer: Printer): void {
    const status = this.deps.registry.status(printer.id);
    for (const listener of this.listeners) listener(event, printer, status);
  }
}
