import type { Config } from '../config/schema.js';
import { createLogger } from '../log/create-logger.js';
import { startGateway } from '../main.js';
import { readVersion } from '../version.js';

/** serve: runs the gateway until SIGTERM or SIGINT, then stops cleanly (exit 0). */
export async function runServe(config: Readonly<Config>, source: string | null): Promise<void> {
  const log = createLogger({ level: config.log.level });
  process.on('uncaughtException', (error) => {
    log.fatal({ err: error }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    log.fatal({ err: reason }, 'unhandled promise rejection');
    process.exit(1);
  });
  let gateway;
  try {
    gateway = await startGateway({ config, log });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
      log.fatal({ host: config.server.host, port: config.server.port, code: e.code }, 'cannot listen: the port is taken or needs privileges; change server.port');
      process.exit(1);
    }
    throw error;
  }
  log.info(
    { url: gateway.url, version: readVersion(), config: source ?? 'embedded defaults', dataDir: config.dataDir, printers: config.printers.length },
    'listening',
  );
  let signalled = false;
  const shutdown = (signal: string): void => {
    if (signalled) return;
    signalled = true;
    log.info({ signal }, 'stopping');
    gateway
      .stop()
      .then(() => {
        log.info({}, 'stopped');
        process.exit(0);
      })
      .catch((error: unknown) => {
        log.error({ err: error }, 'stop failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}
