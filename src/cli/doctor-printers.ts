import { existsSync, statSync } from 'node:fs';
import type { Logger } from 'pino';
import type { Config, PrinterConfig } from '../config/schema.js';
import type { Language, PrinterProfile } from '../driver-api/index.js';
import type { PrinterStates } from '../http/status/printer-state-file.js';
import { openDeviceTransport } from '../main.js';
import { slugify } from '../printers/printer-registry.js';
import { fail, pass, warn, type DoctorCheck } from './doctor-check.js';
import { probeUri } from './probe-command.js';
import { canAccess, groupName, type Identity } from './service-user.js';

export interface PrinterChecksContext {
  config: Readonly<Config>;
  identity: Identity;
  log: Logger;
  languages: readonly Language[];
  profiles: readonly PrinterProfile[];
  /** The PID of the gateway that runs on this data directory, or null. */
  running: number | null;
  /** What that gateway recorded of its printers (<dataDir>/printer-state.json). */
  states: PrinterStates | null;
  /** When each printer was last heard from, as the database keeps it. */
  lastSeen: ReadonlyMap<string, string | null>;
}

/** The device file of a serial: or usb: URI given by path, or null (usb:VID:PID is found at run time). */
export function devicePath(uri: string): string | null {
  return /^(?:serial|usb):(\/[^?]*)/.exec(uri)?.[1] ?? null;
}

function hostOf(uri: string): string {
  return /^[a-z]+:\/\/\[?([^\]/:?]+)/.exec(uri)?.[1] ?? uri;
}

/** The fix for a printer failure, by what the transport said (the words come from src/driver-api/system-errors.ts and the IPP client). */
export function printerFix(message: string, code: string | null, uri: string): string {
  const device = devicePath(uri) ?? 'the device';
  if (code === 'UNSUPPORTED_URI') return 'printers[].uri must use a scheme printgate speaks: socket://, ipp://, ipps://, serial:, usb:, file:, cloudprnt:';
  if (/connection refused/.test(message)) return `nothing listens there: switch the printer on, check the port (raw printing is usually 9100) and that raw (JetDirect) printing is enabled on the printer`;
  if (/no route/.test(message)) return `wrong IP address, or the printer is on another network: print its network settings page and compare with this box's (ip -brief address; ping ${hostOf(uri)})`;
  if (/cannot resolve/.test(message)) return `${hostOf(uri)} does not resolve: use the printer's IP address in printers[].uri, or fix the name in DNS`;
  if (/did not answer in time|timed out|timeout/i.test(message)) return `a wrong address, a printer that is off, or a firewall in between: ping ${hostOf(uri)}`;
  if (/no printer at this URI path|client-error-not-found/.test(message)) return 'wrong IPP path: most printers answer at ipp://HOST/ipp/print; `printgate discover` prints the URI it finds';
  if (/not accepting jobs/.test(message)) return 'the IPP printer is paused or in error: check its panel or its web page';
  if (/no permission/.test(message)) return `the service user cannot open ${device}: add it to the device's group (usermod -aG dialout printgate for serial, lp for USB), then systemctl restart printgate`;
  if (/in use by another program/.test(message)) return `another program holds ${device}: fuser -v ${device} names it (CUPS: systemctl stop cups; ModemManager: apt-get remove modemmanager)`;
  if (/does not exist|went away|not there|unplugged/.test(message)) return `plug it in and switch it on: ls -l /dev/serial/by-id /dev/usb shows the device files (a /dev/serial/by-id path survives re-plugging)`;
  return '`printgate printers probe URI` tries it again and says what it answers';
}

/** A serial: or usb: device file: there, and openable by the identity. */
function checkDeviceFile(name: string, uri: string, identity: Identity): DoctorCheck | null {
  const device = devicePath(uri);
  if (device === null) return null;
  const check = `printer ${name}`;
  if (!existsSync(device)) return fail(check, `${device} does not exist`, printerFix('does not exist', null, uri));
  if (canAccess(identity, device, 'rw')) return null;
  const group = groupName(statSync(device).gid);
  return group === 'root'
    ? fail(check, `${identity.name} cannot open ${device} (group root)`, `install.sh's udev rules give /dev/usb/lp* to lp and /dev/ttyUSB*, /dev/ttyACM* to dialout (udevadm trigger); for another device add a rule in /etc/udev/rules.d`)
    : fail(check, `${identity.name} cannot open ${device} (group ${group})`, `usermod -aG ${group} ${identity.name}, then systemctl restart printgate`);
}

function baudOf(uri: string): string {
  return /[?&]baud=(\d+)/.exec(uri)?.[1] ?? '9600';
}

/**
 * A serial port that opens says nothing about a printer (an empty line opens too): ask the
 * printer's status in its language and judge the answer — none (a printer that does not answer,
 * or a wrong baud rate), bytes that are not a status reply (a wrong baud rate), or a reply.
 */
async function checkSerialAnswer(printer: PrinterConfig, ctx: PrinterChecksContext): Promise<DoctorCheck> {
  const check = `printer ${printer.name}`;
  const path = devicePath(printer.uri) ?? printer.uri;
  const baud = baudOf(printer.uri);
  const profile = printer.profile ? ctx.profiles.find((candidate) => candidate.id === printer.profile) : undefined;
  const languageName = printer.language === 'auto' ? (profile?.language ?? 'escpos') : printer.language;
  const query = ctx.languages.find((language) => language.name === languageName)?.statusQuery;
  const baudFix = `set the printer's baud rate in the URI, serial:${path}?baud=… (its self-test page shows it: 9600, 19200, 38400, 115200), and check the cable (most printers need a null-modem cable)`;
  if (!query || printer.statusQuery === 'off') {
    return warn(check, `${path} opens at ${baud} baud, but ${query ? 'status queries are off for it' : `${languageName} has no status query`}: an open port does not say a printer is there`, `print a test page (printgate test-page ${slugify(printer.name)}); if nothing or garbage comes out, ${baudFix}`);
  }
  const transport = openDeviceTransport(ctx.config, ctx.log, printer.uri);
  let reply: Uint8Array;
  try {
    if (!transport.query) return pass(check, `${path} opens at ${baud} baud`);
    reply = await transport.query(query.request, (bytes) => query.parse(bytes).complete, AbortSignal.timeout(ctx.config.jobs.connectTimeoutMs), ctx.config.jobs.statusTimeoutMs);
  } catch (error) {
    return fail(check, `${printer.uri}: ${(error as Error).message}`, printerFix((error as Error).message, null, printer.uri));
  } finally {
    await transport.close().catch(() => undefined);
  }
  if (reply.byteLength === 0) {
    return warn(check, `${path} opens at ${baud} baud, but the printer does not answer a status query (${query.name})`, `switch it on; if it is on and jobs print nothing or garbage, ${baudFix}`);
  }
  const reading = query.parse(reply);
  if (reading.unrecognised || !reading.complete) {
    return fail(check, `${path} at ${baud} baud: the printer answered ${reply.byteLength} bytes that are not a ${query.name} reply: the baud rate (or data bits, parity) differs from the printer's`, baudFix);
  }
  return pass(check, `${path} answers a status query at ${baud} baud: ${reading.reasons.length === 0 ? 'ready' : reading.reasons.join(', ')}`);
}

async function checkPrinter(printer: PrinterConfig, ctx: PrinterChecksContext): Promise<DoctorCheck> {
  const id = slugify(printer.name);
  const check = `printer ${printer.name}`;
  if (printer.uri.startsWith('cloudprnt:')) {
    const seen = ctx.lastSeen.get(id) ?? null;
    const path = `/cloudprnt/${printer.group}`;
    return seen
      ? pass(check, `CloudPRNT: the printer polls ${path}; last heard ${seen}`)
      : warn(check, `CloudPRNT: the printer has not polled this gateway yet`, `set the printer's CloudPRNT server URL to http://<this box>:${ctx.config.server.port}${path} (its web page: CloudPRNT settings)`);
  }
  if (ctx.running !== null) {
    // The running gateway owns the device: a probe could disturb a job on the wire. Report what it knows.
    const state = ctx.states?.pid === ctx.running ? ctx.states.printers[id] : undefined;
    if (!state) return pass(check, `in use by the running gateway (PID ${ctx.running}), which has not recorded its state yet`);
    const reasons = state.reasons.length > 0 ? ` (${state.reasons.join(', ')})` : '';
    return state.state === 'stopped'
      ? fail(check, `the running gateway says stopped${reasons} since ${state.since}: ${state.lastError ?? 'no error recorded'}`, printerFix(state.lastError ?? state.reasons.join(' '), null, printer.uri))
      : pass(check, `the running gateway says ${state.state}${reasons} (since ${state.since})`);
  }
  const device = checkDeviceFile(printer.name, printer.uri, ctx.identity);
  if (device) return device;
  const report = await probeUri(ctx.config, ctx.log, printer.uri);
  if (!report.reachable) return fail(check, `${printer.uri}: ${report.error}`, printerFix(report.error ?? '', report.code, printer.uri));
  if (printer.uri.startsWith('serial:')) return checkSerialAnswer(printer, ctx);
  return pass(check, `${printer.uri} answers (${report.ms} ms)`);
}

/** One line per configured printer, with a fix for the kind of failure it has. */
export async function checkPrinters(ctx: PrinterChecksContext): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  for (const printer of ctx.config.printers) checks.push(await checkPrinter(printer, ctx));
  return checks;
}
