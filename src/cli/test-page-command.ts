import { Readable } from 'node:stream';
import type { Config } from '../config/schema.js';
import { createLogger } from '../log/create-logger.js';
import { cliServices } from '../main.js';
import { readVersion } from '../version.js';
import { UsageError, type CliIo } from './cli-io.js';
import { findPrinter, submitFromCli } from './print-command.js';
import { testPageMarkup, testPagePlainText } from './test-page-document.js';

/**
 * test-page PRINTER: a receipt (or, on a label printer, a label) that shows what the gateway
 * thinks the printer is, queued like any job: Star markup rendered by the printer's language;
 * plain text for a printer that takes no markup (raw).
 */
export async function runTestPage(config: Readonly<Config>, wanted: string | undefined, io: CliIo, now: () => Date = () => new Date()): Promise<void> {
  const services = cliServices(config, createLogger({ level: 'silent' }));
  try {
    const printer = findPrinter(services, wanted, 'test-page');
    const accepted = services.jobs.languageOf(printer).acceptedTypes;
    const facts = { version: readVersion(), at: now() };
    let contentType: string;
    let document: string;
    if (accepted.includes('text/vnd.star.markup')) {
      contentType = 'text/vnd.star.markup';
      document = testPageMarkup(printer, facts);
    } else if (accepted.includes('text/plain')) {
      contentType = 'text/plain';
      document = testPagePlainText(printer, facts);
    } else {
      throw new UsageError(`printer ${printer.id} speaks ${printer.language}, which takes no text: print a document of its own (printgate print ${printer.id} FILE.pdf)`);
    }
    const body = Buffer.from(document, 'utf8');
    await submitFromCli(config, services, { printer, contentType, body: Readable.from([body]), declaredBytes: body.byteLength, name: 'test page' }, io);
  } finally {
    services.close();
  }
}
