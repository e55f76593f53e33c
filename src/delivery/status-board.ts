import type { Printer, PrinterStatus, PrinterStatuses } from '../printers/printer-registry.js';

/**
 * The delivery thread's copy of its printers and their live status. The workers read and change
 * it as they would the registry; each change they make is told to the main thread (whose registry
 * is the record: the API, webhooks, the event stream and lastSeenAt on disk), and the main
 * thread's own changes (discovery lost a device) come back in through `applyRemote`.
 */
export class StatusBoard implements PrinterStatuses {
  private readonly printers = new Map<string, Printer>();
  private readonly statuses = new Map<string, PrinterStatus>();

  constructor(
    entries: readonly { printer: Printer; status: PrinterStatus }[],
    private readonly onChange: (printerId: string, change: Partial<PrinterStatus>) => void,
  ) {
    for (const { printer, status } of entries) this.add(printer, status);
  }

  add(printer: Printer, status: PrinterStatus): void {
    this.printers.set(printer.id, printer);
    this.statuses.set(printer.id, status);
  }

  remove(printerId: string): void {
    this.printers.delete(printerId);
    this.statuses.delete(printerId);
  }

  list(): Printer[] {
    return [...this.printers.values()];
  }

  status(id: string): PrinterStatus {
    return this.statuses.get(id) ?? { state: 'stopped', reasons: ['offline'], lastSeenAt: null, lastError: null };
  }

  updateStatus(id: string, change: Partial<PrinterStatus>): void {
    if (!this.applyRemote(id, change)) return;
    this.onChange(id, change);
  }

  /** A change the main thread made; false for a printer this thread does not drive. */
  applyRemote(id: string, change: Partial<PrinterStatus>): boolean {
    if (!this.printers.has(id)) return false;
    this.statuses.set(id, { ...this.status(id), ...change });
    return true;
  }
}
