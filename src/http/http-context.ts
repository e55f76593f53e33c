import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Language } from '../driver-api/index.js';
import type { Dispatcher } from '../jobs/dispatcher.js';
import type { JobService } from '../jobs/job-service.js';
import type { JobStore } from '../jobs/job-store.js';
import type { KeyStore } from '../keys/key-store.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { GroupStore } from '../printers/group-store.js';
import type { Printer, PrinterRegistry } from '../printers/printer-registry.js';

/** What the routers need; built once in main.ts. */
export interface HttpContext {
  config: Readonly<Config>;
  log: Logger;
  version: string;
  now: () => Date;
  keys: KeyStore;
  groups: GroupStore;
  registry: PrinterRegistry;
  jobs: JobStore;
  jobService: JobService;
  dispatcher: Dispatcher;
  languageFor: (printer: Printer) => Language;
  metrics: GatewayMetrics;
  /** Health of the database: a trivial query. */
  dbHealthy: () => boolean;
}
