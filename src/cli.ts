#!/usr/bin/env node
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ConfigError } from './config/config-error.js';
import { loadConfig } from './config/load-config.js';
import { isCatalogueError } from './errors/catalogue-error.js';
import { processIo, UsageError } from './cli/cli-io.js';
import { describeStartupError, EXIT_CODES } from './db/startup-errors.js';
import { createLogger } from './log/create-logger.js';
import { isJournalStream } from './log/journal-stream.js';
import { readVersion } from './version.js';
import { configParts, defaultParts } from './main.js';

const USAGE = `usage: printgate <command> [options]

commands:
  serve                                 run the gateway (default)
  keys create --name N --permissions P1,P2 [--description D] [--expires ISO8601] [--groups g1,g2]
  keys list | edit ID [--name] [--description] [--permissions] [--groups] [--expires|never]
  keys disable ID | enable ID | revoke ID | purge --older-than 90d | permissions
  printers list                         printers with state, reasons, queue (as the running gateway recorded them)
  printers probe URI | printers pin ID | printers forget ID | printers unforget IDENTITY
  print PRINTER FILE|- [--type T] [--name N] [--copies N]
                                        queues a file (type from its extension) or standard input (text/plain)
  test-page PRINTER                     queues a test receipt (a label on a label printer): profile, ruler, code pages, QR
  groups list | groups set GROUP [--require-device-key on|off] [--auto-create on|off] [--enabled on|off]
  discover [--seconds N] [--watch]      finds printers (mDNS on discovery.interfaces, USB, serial) for N s (5)
  doctor [--user U]                     checks data dir, database, port, printers, devices, mDNS, TLS, cloud;
                                        prints a fix for each failure; changes nothing
  jobs list [--printer ID] [--state S] | jobs cancel ID | jobs release ID
  config check
  backup FILE                           a consistent copy of the database, while the gateway runs
  version                               prints the version (also --version)

options:
  --config FILE   configuration file (else PRINTGATE_CONFIG, /etc/printgate/printgate.yaml, defaults)
  --json          machine-readable output; a failure is one {"error":{"code","message"}} line on stderr

exit codes: 0 ok, 1 failure, 2 wrong command line, 65 damaged database, 75 data directory in use
or port taken (try again later), 77 no permission, 78 bad configuration
`;

/** How the last error is said on stderr: one JSON line with --json (stdout stays empty), else one text line. */
let jsonErrors = false;
/** What the error line may name: the data directory of the loaded config. */
let errorContext: { dataDir: string; host?: string; port?: number } = { dataDir: './var' };

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', default: false },
      name: { type: 'string' },
      description: { type: 'string' },
      permissions: { type: 'string' },
      groups: { type: 'string' },
      expires: { type: 'string' },
      'older-than': { type: 'string' },
      printer: { type: 'string' },
      state: { type: 'string' },
      'require-device-key': { type: 'string' },
      'auto-create': { type: 'string' },
      enabled: { type: 'string' },
      seconds: { type: 'string' },
      watch: { type: 'boolean', default: false },
      user: { type: 'string' },
      type: { type: 'string' },
      copies: { type: 'string' },
    },
  });
  jsonErrors = values.json;
  const [command = 'serve', sub, id] = positionals;
  // `printgate keys list | head -1`: the reader went away; that is not our failure, and no stack
  // trace. serve's stdout is its log, whose writer (StdoutLines) outlives a reader that went away.
  if (command !== 'serve') {
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(EXIT_CODES.ok);
      throw error;
    });
  }
  if (values.help || command === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  if (values.version || command === 'version') {
    process.stdout.write(values.json ? `${JSON.stringify({ version: readVersion() })}\n` : `printgate ${readVersion()}\n`);
    return;
  }
  const { config, source } = loadConfig({ file: values.config, parts: configParts() });
  errorContext = { dataDir: config.dataDir, host: config.server.host, port: config.server.port };
  const io = processIo(values.json);
  // Each command's modules load when it runs: serve does not carry the CLI's (doctor, discover, print…), nor they serve's.
  switch (command) {
    case 'serve':
      await (await import('./cli/serve-command.js')).runServe(config, source);
      return;
    case 'backup':
      if (!(await (await import('./cli/backup-command.js')).runBackup(config, sub, io))) process.exitCode = EXIT_CODES.failure;
      return;
    case 'keys':
      (await import('./cli/keys-command.js')).runKeysCommand(
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
        (await import('./cli/inspect-commands.js')).runPrintersList(config, io);
        return;
      }
      if (sub === 'probe') {
        if (!id) throw new UsageError('printers probe needs a device URI, e.g. socket://10.0.0.7:9100');
        if (!(await (await import('./cli/probe-command.js')).runPrintersProbe(config, createLogger({ level: 'silent' }), id, io))) process.exitCode = 1;
        return;
      }
      if (sub === 'pin' || sub === 'forget' || sub === 'unforget') {
        (await import('./cli/printers-command.js')).runPrintersChange(config, source, { sub, id }, io);
        return;
      }
      throw new UsageError('printers: use list, probe URI, pin ID, forget ID or unforget IDENTITY');
    case 'groups':
      (await import('./cli/groups-command.js')).runGroupsCommand(config, { sub, group: id, requireDeviceKey: values['require-device-key'], autoCreate: values['auto-create'], enabled: values.enabled }, io);
      return;
    case 'discover': {
      // The composition root's parts: the listing transports and the profiles.
      const { discoverSeconds, runDiscover } = await import('./cli/discover-command.js');
      await runDiscover(config, defaultParts(), io, { seconds: discoverSeconds(values.seconds), watch: values.watch });
      return;
    }
    case 'doctor':
      if (!(await (await import('./cli/doctor-command.js')).runDoctor(config, source, createLogger({ level: 'silent' }), io, { user: values.user, parts: defaultParts() }))) process.exitCode = 1;
      return;
    case 'print':
      await (await import('./cli/print-command.js')).runPrint(config, { printer: sub, file: id, type: values.type, name: values.name, copies: values.copies }, io, process.stdin);
      return;
    case 'test-page':
      await (await import('./cli/test-page-command.js')).runTestPage(config, sub, io);
      return;
    case 'jobs':
      (await import('./cli/inspect-commands.js')).runJobsCommand(config, { sub, id, printer: values.printer, state: values.state }, io);
      return;
    case 'config':
      if (sub !== 'check') throw new UsageError('config: use check');
      (await import('./cli/inspect-commands.js')).runConfigCheck(config, source, io);
      return;
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

/** Exits with `exitCode` after printing the error on stderr: one text line, or one JSON line with --json. */
function fail(code: string, message: string, exitCode: number, extra = ''): never {
  // Under systemd stderr is the journal: the <3> prefix files the line at priority err (journalctl -p err).
  // Each line of it: a configuration error lists its keys on lines of their own.
  const priority = isJournalStream(process.env, 2) ? '<3>' : '';
  if (jsonErrors) process.stderr.write(`${priority}${JSON.stringify({ error: { code, message } })}\n`);
  else process.stderr.write(`${`printgate: ${message}`.split('\n').map((line) => `${priority}${line}`).join('\n')}\n${extra}`);
  process.exit(exitCode);
}


const argv = process.argv.slice(2);
jsonErrors = argv.includes('--json');
main(argv).catch((error: unknown) => {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    fail('USAGE', (error as Error).message, EXIT_CODES.usage, `\n${USAGE}`);
  }
  if (error instanceof ConfigError) fail('CONFIG_INVALID', error.message, ConfigError.EXIT_CODE);
  const described = describeStartupError(error, { ...errorContext, user: currentUser() });
  if (described) fail(described.code, described.line, described.exitCode);
  if (isCatalogueError(error)) fail(error.code, `${error.message} (${error.code})`, EXIT_CODES.failure);
  // Not a failure we know: a bug. Keep the stack for the report (not in --json, where it would be one long string).
  fail('INTERNAL', jsonErrors ? String((error as Error)?.message ?? error) : String((error as Error)?.stack ?? error), EXIT_CODES.failure);
});

function currentUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
