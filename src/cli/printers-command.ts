import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument, YAMLSeq } from 'yaml';
import type { Config } from '../config/schema.js';
import { cliServices } from '../main.js';
import { slugify } from '../printers/printer-registry.js';
import { createLogger } from '../log/create-logger.js';
import { printJson, UsageError, type CliIo } from './cli-io.js';

/**
 * printers pin ID: writes a discovered printer into the config file as a configured one (same
 * name, so the same id; its AccessIdentifier fixed, so POS apps keep printing to it), keeping the
 * file's comments. printers forget ID / unforget IDENTITY: stop (or start again) adding a device.
 */
export function runPrintersChange(config: Readonly<Config>, source: string | null, args: { sub: string; id: string | undefined }, io: CliIo): void {
  if (!args.id) throw new UsageError(`printers ${args.sub} needs ${args.sub === 'unforget' ? 'a device identity (printgate discover shows it)' : 'a printer id (printgate printers list)'}`);
  const services = cliServices(config, createLogger({ level: 'silent' }));
  try {
    if (args.sub === 'unforget') {
      const done = services.registry.unforget(args.id);
      if (!done) throw new UsageError(`no forgotten device ${args.id}`);
      if (io.json) printJson(io, { identity: args.id, forgotten: false });
      else io.out(`Discovery adds ${args.id} again when it next sees it.`);
      return;
    }
    const printer = services.registry.get(args.id);
    if (!printer) throw new UsageError(`no printer ${args.id} (printgate printers list shows them)`);
    if (args.sub === 'forget') {
      if (printer.source === 'config' || printer.source === 'cloudprnt') throw new UsageError(`printer ${printer.id} is not a discovered printer`);
      services.jobs.cancelAll(printer.id);
      services.registry.forget(printer.id);
      if (io.json) printJson(io, { id: printer.id, identity: printer.identity, forgotten: true });
      else io.out(`Forgot ${printer.id}${printer.identity ? ` (${printer.identity})` : ''}; a running gateway stops driving it within a tick. printgate printers unforget ${printer.identity ?? 'IDENTITY'} undoes it.`);
      return;
    }
    // pin
    if (printer.source === 'config') throw new UsageError(`printer ${printer.id} is configured already`);
    if (!source) throw new UsageError('printers pin writes the config file: give it with --config FILE (or PRINTGATE_CONFIG)');
    const document = parseDocument(readFileSync(source, 'utf8'));
    const entry = {
      // A configured printer's id comes from its name: this name keeps the printer's id (and queue).
      name: slugify(printer.name) === printer.id ? printer.name : printer.id,
      group: printer.groupPath,
      appId: printer.appId,
      uri: printer.uri,
      language: printer.language,
      ...(printer.profile.id.startsWith('generic') ? {} : { profile: printer.profile.id }),
    };
    if (!document.has('printers')) document.set('printers', new YAMLSeq());
    (document.get('printers') as YAMLSeq).add(document.createNode(entry));
    writeFileSync(source, document.toString());
    if (io.json) printJson(io, { id: printer.id, pinned: entry, file: source });
    else io.out(`Pinned ${printer.id} into ${source} (AccessIdentifier ${printer.appId} kept). Reload: systemctl reload printgate (or send SIGHUP).`);
  } finally {
    services.close();
  }
}
