import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { isCatalogueError } from '../errors/catalogue-error.js';
import { openDeviceTransport } from '../main.js';
import { printJson, type CliIo } from './cli-io.js';

export interface ProbeReport {
  uri: string;
  reachable: boolean;
  ms: number;
  error: string | null;
  code: string | null;
  details: object | null;
}

/** Connects once to a device URI and reports what it finds (bounded by jobs.connectTimeoutMs). */
export async function probeUri(config: Readonly<Config>, log: Logger, uri: string): Promise<ProbeReport> {
  const started = Date.now();
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort('timeout'), config.jobs.connectTimeoutMs + 1000);
  try {
    const transport = openDeviceTransport(config, log, uri);
    try {
      await transport.probe(controller.signal);
      const details = transport.describe ? await transport.describe(controller.signal).catch(() => null) : null;
      return { uri, reachable: true, ms: Date.now() - started, error: null, code: null, details };
    } finally {
      await transport.close().catch(() => undefined);
    }
  } catch (error) {
    return {
      uri,
      reachable: false,
      ms: Date.now() - started,
      error: (error as Error).message,
      code: isCatalogueError(error) ? error.code : null,
      details: null,
    };
  } finally {
    clearTimeout(timer);
  }
}

/** printers probe URI */
export async function runPrintersProbe(config: Readonly<Config>, log: Logger, uri: string, io: CliIo): Promise<boolean> {
  const report = await probeUri(config, log, uri);
  if (io.json) printJson(io, report);
  else if (report.reachable) {
    io.out(`${uri}: reachable (${report.ms} ms)`);
    if (report.details) io.out(JSON.stringify(report.details, null, 2));
  } else {
    io.out(`${uri}: NOT reachable (${report.code ?? 'error'}): ${report.error}`);
  }
  return report.reachable;
}
