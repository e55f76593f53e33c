import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Config } from '../config/schema.js';
import { dataDirLockHolder } from '../db/data-dir-lock.js';
import { jobView } from '../http/native/job-view.js';
import type { JobsService } from '../jobs/jobs-service.js';
import { createLogger } from '../log/create-logger.js';
import { cliServices, type CliServices } from '../main.js';
import type { Printer } from '../printers/printer-registry.js';
import { printJson, UsageError, type CliIo } from './cli-io.js';

/** Content types by file extension; `.bin`/`.prn` are raw bytes in the printer's own language. */
const BY_EXTENSION: Readonly<Record<string, string>> = {
  '.txt': 'text/plain',
  '.text': 'text/plain',
  '.stm': 'text/vnd.star.markup',
  '.markup': 'text/vnd.star.markup',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.pdf': 'application/pdf',
  '.zpl': 'application/vnd.zebra.zpl',
};
const RAW_EXTENSIONS = ['.bin', '.prn', '.raw'];

/** The printer by id, or by name ignoring case; a usage error naming the command that lists them. */
export function findPrinter(services: CliServices, wanted: string | undefined, command: string): Printer {
  if (!wanted) throw new UsageError(`${command} needs a printer id (printgate printers list shows them)`);
  const printers = services.registry.list();
  const printer = services.registry.get(wanted) ?? printers.find((candidate) => candidate.name.toLowerCase() === wanted.toLowerCase());
  if (!printer) {
    throw new UsageError(`no printer "${wanted}"${printers.length > 0 ? `: the printers are ${printers.map((p) => p.id).join(', ')}` : ': none is configured yet (add it under "printers:" and start serve once)'}`);
  }
  return printer;
}

function contentTypeOf(file: string, jobs: JobsService, printer: Printer, given: string | undefined): string {
  if (given) return given;
  if (file === '-') return 'text/plain';
  const extension = path.extname(file).toLowerCase();
  if (RAW_EXTENSIONS.includes(extension)) return jobs.languageOf(printer).documentFormat;
  const type = BY_EXTENSION[extension];
  if (!type) throw new UsageError(`cannot tell the type of ${path.basename(file)} from its extension: give --type (e.g. --type text/plain, image/png, application/pdf)`);
  return type;
}

export interface SubmitFromCli {
  printer: Printer;
  contentType: string;
  body: Readable;
  declaredBytes?: number | undefined;
  name?: string | undefined;
  copies?: string | undefined;
}

/** Submits through the same use case as the API (source `cli`) and says where the job is. */
export async function submitFromCli(config: Readonly<Config>, services: CliServices, request: SubmitFromCli, io: CliIo): Promise<void> {
  const { job, queuedJobs } = await services.jobs.submit({
    printer: request.printer,
    contentType: request.contentType,
    declaredBytes: request.declaredBytes,
    body: request.body,
    options: { header: () => undefined, query: (name) => (name === 'name' ? request.name : name === 'copies' ? request.copies : undefined) },
    keyId: null,
    source: 'cli',
  });
  const running = dataDirLockHolder(config.dataDir);
  if (io.json) {
    printJson(io, { ...jobView(job), queuedJobs, gatewayRunning: running !== null });
    return;
  }
  io.out(`Queued job ${job.id} for ${request.printer.id} (${queuedJobs} waiting).`);
  io.out(
    running !== null
      ? `The running gateway (PID ${running}) prints it within a second: printgate jobs list --printer ${request.printer.id}`
      : `No gateway runs on ${config.dataDir}: the job prints when it starts (systemctl start printgate).`,
  );
}

export interface PrintArgs {
  printer: string | undefined;
  file: string | undefined;
  type?: string | undefined;
  name?: string | undefined;
  copies?: string | undefined;
}

/** print PRINTER FILE|- [--type T] [--name N] [--copies N] */
export async function runPrint(config: Readonly<Config>, args: PrintArgs, io: CliIo, stdin: Readable): Promise<void> {
  if (!args.file) throw new UsageError('print needs a file, or - for standard input: printgate print PRINTER FILE|-');
  const services = cliServices(config, createLogger({ level: 'silent' }));
  try {
    const printer = findPrinter(services, args.printer, 'print');
    const contentType = contentTypeOf(args.file, services.jobs, printer, args.type);
    let declaredBytes: number | undefined;
    let body: Readable = stdin;
    if (args.file !== '-') {
      try {
        declaredBytes = statSync(args.file).size;
      } catch (error) {
        throw new UsageError(`cannot read ${args.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      body = createReadStream(args.file);
    }
    await submitFromCli(config, services, { printer, contentType, body, declaredBytes, name: args.name ?? (args.file === '-' ? undefined : path.basename(args.file)), copies: args.copies }, io);
  } finally {
    services.close();
  }
}
