#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { ConfigError } from './config/config-error.js';
import { loadConfig } from './config/load-config.js';
import { isCatalogueError } from './errors/catalogue-error.js';
import { processIo, UsageError } from './cli/cli-io.js';
import { runConfigCheck, runJobsCommand, runPrintersList } from './cli/inspect-commands.js';
import { runKeysCommand } from './cli/keys-command.js';
import { runServe } from './cli/serve-command.js';
import { runDoctor } from './cli/doctor-command.js';
import { discoverSeconds, runDiscover } from './cli/discover-command.js';
import { runPrintersProbe } from './cli/probe-command.js';
import { createLogger } from './log/create-logger.js';
import { configParts, defaultParts } from './main.js';

const USAGE = `usage: printgate <command> [options]

commands:
  serve                                 run the gateway (default)
  keys create --name N --permissions P1,P2 [--description D] [--expires ISO8601] [--groups g1,g2]
  keys list | edit ID [--name] [--description] [--permissions] [--groups] [--expires|never]
  keys disable ID | enable ID | revoke ID | purge --older-than 90d | permissions
  printers list | printers probe URI
  discover [--seconds N] [--watch]      finds printers (mDNS on discovery.interfaces, USB, serial) for N s (5)
  doctor                                checks data dir, port, printers, devices, cloud; prints fixes
  jobs list [--printer ID] [--state S] | jobs cancel ID | jobs release ID
  config check

options:
  --config FILE   configuration file (else PRINTGATE_CONFIG, /etc/printgate/printgate.yaml, defaults)
  --json          machine-readable output
`;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      name: { type: 'string' },
      description: { type: 'string' },
      permissions: { type: 'string' },
      groups: { type: 'string' },
      expires: { type: 'string' },
      'older-than': { type: 'string' },
      printer: { type: 'string' },
      state: { type: 'string' },
      seconds: { type: 'string' },
      watch: { type: 'boolean', default: false },
    },
  });
  const [command = 'serve', sub, id] = positionals;
  if (values.help || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const { config, source } = loadConfig({ file: values.config, parts: configParts() });
  const io = processIo(values.json);
  switch (command) {
    case 'serve':
      await runServe(config, source);
      return;
    case 'keys':
      runKeysCommand(
        config,
        {
          sub,
          id,
          name: values.name,
          description: values.description,
          permissions: values.permissions,
          groups: values.groups,
          expires: values.expires,
          olderThan: values['older-than'],
        },
        io,
      );
      return;
    case 'printers':
      if (sub === 'list') {
        runPrintersList(config, io);
        return;
      }
      if (sub === 'probe') {
        if (!id) throw new UsageError('printers probe needs a device URI, e.g. socket://10.0.0.7:9100');
        if (!(await runPrintersProbe(config, createLogger({ level: 'silent' }), id, io))) process.exitCode = 1;
        return;
      }
      throw new UsageError('printers: use list or probe URI');
    case 'discover':
      // The composition root's parts: the listing transports and the profiles.
      await runDiscover(config, defaultParts(), io, { seconds: discoverSeconds(values.seconds), watch: values.watch });
      return;
    case 'doctor':
      if (!(await runDoctor(config, source, createLogger({ level: 'silent' }), io))) process.exitCode = 1;
      return;
    case 'jobs':
      runJobsCommand(config, { sub, id, printer: values.printer, state: values.state }, io);
      return;
    case 'config':
      if (sub !== 'check') throw new UsageError('config: use check');
      runConfigCheck(config, source, io);
      return;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`printgate: ${error.message}\n`);
    process.exit(ConfigError.EXIT_CODE);
  }
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`printgate: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (isCatalogueError(error)) {
    process.stderr.write(`printgate: ${error.message} (${error.code})\n`);
    process.exit(1);
  }
  process.stderr.write(`printgate: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exit(1);
});
