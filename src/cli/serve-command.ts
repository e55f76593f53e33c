import type { Config } from '../config/schema.js';
import { loadConfig } from '../config/load-config.js';
import { createLogger } from '../log/create-logger.js';
import { isJournalStream } from '../log/journal-stream.js';
import { StdoutLines } from '../log/stdout-lines.js';
import { configParts, startGateway } from '../main.js';
import { SdNotify } from '../systemd/sd-notify.js';
import { readVersion } from '../version.js';

/**
 * serve: runs the gateway until SIGTERM or SIGINT, then stops cleanly (exit 0). Under systemd
 * (Type=notify): READY=1 once the API listens, WATCHDOG=1 from this event loop, RELOADING=1 …
 * READY=1 around a SIGHUP reload (log level and printers), STOPPING=1 on the way out. A start-up
 * failure is thrown: the command line turns it into one line and an exit code.
 */
export async function runServe(config: Readonly<Config>, source: string | null): Promise<void> {
  const journal = isJournalStream(process.env);
  const out = new StdoutLines(process.stdout);
  const log = createLogger({ level: config.log.level, journal, destination: out });
  // process.exit drops log lines still queued for a slow journal: the last ones are the ones a
  // technician reads, so they are given a moment (at once when the journal has them all).
  const exit = (code: number): void => {
    if (out.queuedBytes === 0) process.exit(code);
    void out.drained(EXIT_DRAIN_MS).then(() => process.exit(code));
  };
  const notify = new SdNotify({ env: process.env, log });
  process.on('uncaughtException', (error) => {
    log.fatal({ err: error }, 'uncaught exception');
    exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    log.fatal({ err: reason }, 'unhandled promise rejection');
    exit(1);
  });
  const gateway = await startGateway({ config, log, logJournal: journal });
  log.info(
    { url: gateway.url, httpsUrl: gateway.httpsUrl, version: readVersion(), config: source ?? 'embedded defaults', dataDir: config.dataDir, printers: config.printers.length },
    'listening',
  );
  notify.ready(`listening on ${gateway.url}; ${config.printers.length} printers configured`);
  notify.startWatchdog();

  let reloading: Promise<unknown> = Promise.resolve();
  process.on('SIGHUP', () => {
    reloading = reloading.then(() =>
      notify
        .reload(async () => {
          const { config: next } = loadConfig({ ...(source ? { file: source } : {}), parts: configParts() });
          if (next.dataDir !== config.dataDir || next.server.port !== config.server.port || next.server.host !== config.server.host) {
            log.warn({}, 'dataDir and server.* changes need a restart (systemctl restart printgate); the rest is reloaded');
          }
          await gateway.reload(next);
        })
        .catch((error: unknown) => log.error({ err: (error as Error)?.message ?? String(error) }, 'reload failed; the gateway goes on with the configuration it had')),
    );
  });

  let signalled = false;
  const shutdown = (signal: string): void => {
    if (signalled) return;
    signalled = true;
    notify.stopping();
    log.info({ signal }, 'stopping');
    gateway
      .stop()
      .then(() => {
        log.info({}, 'stopped');
        exit(0);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'stop failed');
        exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

/** How long an exit waits for the journal to take the last log lines. */
const EXIT_DRAIN_MS = 2000;
