import type { Config } from '../config/schema.js';
import { cleanText } from '../discovery/clean-text.js';
import { createDiscovery, type DiscoveryParts } from '../discovery/create-discovery.js';
import type { DiscoveryLogger } from '../discovery/discovery-logger.js';
import type { DeviceInfo } from '../discovery/device-info.js';
import { formatTable, printJson, UsageError, type CliIo } from './cli-io.js';

export interface DiscoverOptions {
  /** How long mDNS is listened to and IPP printers are probed (default 5 s). */
  seconds: number;
  /** Print found/updated/lost as they happen (JSON lines with --json), then the report. */
  watch?: boolean;
}

export interface DiscoverReport {
  seconds: number;
  sources: { mdns: string[]; usb: boolean; serial: boolean };
  devices: DeviceInfo[];
  /** Warnings met on the way (udevadm missing, an IPP printer that answers garbage, ...), once each. */
  notes: string[];
}

/** Parses --seconds: 1 to 600. */
export function discoverSeconds(value: string | undefined): number {
  if (value === undefined) return 5;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 1 || seconds > 600) throw new UsageError(`--seconds ${value}: give 1 to 600 seconds`);
  return seconds;
}

/** A logger that keeps warnings as notes for the report (bounded) and drops the rest. */
function noteLogger(notes: string[]): DiscoveryLogger {
  const keep = (fields: object, message: string): void => {
    if (notes.length >= 50) return;
    const detail = Object.entries(fields)
      .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
      .join(' ');
    notes.push(cleanText(`${message}${detail ? ` (${detail})` : ''}`, 300));
  };
  return { debug: () => undefined, info: () => undefined, warn: keep, error: keep };
}

/**
 * printgate discover [--seconds N] [--watch] [--json]: runs the enabled discovery sources once — mDNS on
 * discovery.interfaces, USB and serial ports — for N seconds and prints what was found: identity,
 * URI, language, profile and what identified each device. Changes nothing.
 */
export async function runDiscover(config: Readonly<Config>, parts: DiscoveryParts, io: CliIo, options: DiscoverOptions): Promise<DiscoverReport> {
  const notes: string[] = [];
  const discovery = createDiscovery({ config, log: noteLogger(notes), parts, localPollMs: 1000 });
  if (options.watch) {
    const line = (event: string, device: DeviceInfo, reason?: string): void =>
      io.out(io.json ? JSON.stringify({ event, ...(reason ? { reason } : {}), device }) : `${event.padEnd(8)} ${device.name}  ${device.uri}  ${device.identity}${reason ? `  (${reason})` : ''}`);
    discovery.on('found', (device) => line('found', device));
    discovery.on('updated', (device) => line('updated', device));
    discovery.on('lost', (device, reason) => line('lost', device, reason));
  }
  await discovery.start();
  await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
  const devices = discovery.devices();
  await discovery.stop();
  const report: DiscoverReport = {
    seconds: options.seconds,
    sources: { mdns: [...config.discovery.interfaces], usb: config.discovery.usb, serial: config.discovery.serial },
    devices,
    notes,
  };
  if (io.json) {
    if (options.watch) io.out(JSON.stringify({ event: 'done', ...report }));
    else printJson(io, report);
  } else printText(report, io);
  return report;
}

function printText(report: DiscoverReport, io: CliIo): void {
  if (report.sources.mdns.length === 0) {
    io.out('mDNS is off (discovery.interfaces is []): set discovery.interfaces: [eth0] to find network printers.');
  }
  if (report.devices.length === 0) io.out(`Nothing found in ${report.seconds} s.`);
  else {
    io.out(
      formatTable(
        ['name', 'uri', 'language', 'profile', 'identity'],
        report.devices.map((device) => [
          device.name,
          device.uri,
          device.language,
          device.profile === 'unknown' && device.profileCandidates.length > 0 ? `unknown (${device.profileCandidates.join(' or ')})` : device.profile,
          `${device.identity} (${device.identityQuality})`,
        ]),
      ),
    );
    for (const device of report.devices) {
      io.out(`\n${device.name} — ${[device.make, device.model].filter(Boolean).join(' ') || 'make and model unknown'} (${device.source})`);
      io.out(`  identified by: ${device.identifiedBy.map((entry) => `${entry.aspect} ← ${entry.by}`).join('; ') || 'nothing it said'}`);
      if (device.identityQuality === 'port' || device.identityQuality === 'name') io.out(`  note: ${device.identityNote}`);
      if (device.ipp) io.out(`  ipp: ${device.ipp.state}${device.ipp.reasons.length > 0 ? ` (${device.ipp.reasons.join(', ')})` : ''}`);
      if (device.ippError) io.out(`  ipp probe failed: ${device.ippError}`);
    }
  }
  for (const note of report.notes) io.out(`note: ${note}`);
}
