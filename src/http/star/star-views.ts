import { macFromUri } from '../../cloudprnt/cloudprnt-uri.js';
import type { DeviceGroup } from '../../printers/group-store.js';
import type { Printer, PrinterStatus } from '../../printers/printer-registry.js';
import type { NotificationTarget } from '../../webhooks/notification-store.js';
import { starStatus } from '../../webhooks/star-status.js';

/** A group as Star's list shows it (nine fields). */
export function groupListView(group: DeviceGroup, deviceCount: number): Record<string, unknown> {
  return {
    Name: group.name,
    MatchPath: group.matchPath,
    MatchDomain: null,
    AutoCreateDeviceQueue: group.autoCreateQueue,
    Enabled: group.enabled,
    RequireDeviceKey: group.requireDeviceKey,
    Created: group.createdAt,
    Owner: group.owner,
    DeviceCount: deviceCount,
  };
}

/** A group as Star's fetch shows it: the list form plus the settings. */
export function groupDetailView(group: DeviceGroup, deviceCount: number): Record<string, unknown> {
  return {
    ...groupListView(group, deviceCount),
    ContactEMail: group.contactEmail,
    ContactName: group.contactName,
    AutoBuzzBeforePrint: group.autoBuzzBefore,
    AutoBuzzAfterPrint: group.autoBuzzAfter,
    Copies: group.copies,
    AutoClaimBCR: group.autoClaimBcr,
  };
}

export interface DeviceViewInput {
  printer: Printer;
  /** Star's `Id`: the name given by RequestIdChange, else the printer's own. */
  name: string;
  status: PrinterStatus;
  group: DeviceGroup;
  queuedJobs: number;
  now: Date;
}

/** A printer as Star's device object. */
export function deviceView({ printer, name, status, group, queuedJobs, now }: DeviceViewInput): Record<string, unknown> {
  const heard = Date.parse(status.lastSeenAt ?? printer.createdAt);
  const profile = printer.profile;
  return {
    Mac: macFromUri(printer.uri) ?? '',
    Id: name,
    Status: starStatus(status),
    AccessIdentifier: printer.appId,
    HorizontalResolution: profile.dotsPerMM,
    VerticalResolution: profile.dotsPerMM,
    PrintableWidthMM: profile.printableWidthMM,
    PaperWidthMM: profile.paperWidthMM,
    ClientType: profile.name ?? `${profile.id} (${printer.language})`,
    LastConnection: Number.isNaN(heard) ? 0 : Math.max(0, (now.getTime() - heard) / 1000),
    QueuedJobs: queuedJobs,
    GroupInfo: { Name: group.name, MatchPath: group.matchPath, Owner: group.owner },
  };
}

/** A webhook target. */
export function targetView(target: NotificationTarget): Record<string, unknown> {
  return { Id: target.id, Name: target.name, Url: target.url, Enabled: target.enabled, Events: target.events };
}
