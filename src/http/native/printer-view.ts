import type { Printer, PrinterStatus } from '../../printers/printer-registry.js';

/** A printer as the native API shows it. */
export function printerView(printer: Printer, status: PrinterStatus, queuedJobs: number): Record<string, unknown> {
  return {
    id: printer.id,
    name: printer.name,
    group: printer.groupPath,
    appId: printer.appId,
    uri: printer.uri,
    language: printer.language,
    source: printer.source,
    /** How discovery knows the device, and what that is worth (null for a printer it never saw). */
    identity: printer.identity,
    identityQuality: printer.identityQuality,
    identityNote: printer.identityNote,
    makeAndModel: printer.makeAndModel,
    uuid: printer.uuid,
    state: status.state,
    reasons: status.reasons,
    lastSeenAt: status.lastSeenAt,
    lastError: status.lastError,
    queuedJobs,
    capabilities: {
      profile: printer.profile.id,
      paperWidthMM: printer.profile.paperWidthMM,
      printableWidthMM: printer.profile.printableWidthMM,
      dotsPerMM: printer.profile.dotsPerMM,
      columns: printer.profile.columns,
      cutter: printer.profile.cutter,
      drawer: printer.profile.drawer,
      buzzer: printer.profile.buzzer,
    },
  };
}
