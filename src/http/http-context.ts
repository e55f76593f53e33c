import type { Logger } from 'pino';
import type { CloudSyncStatus } from '../cloud/cloud-sync-status.js';
import type { Config } from '../config/schema.js';
import type { Language } from '../driver-api/index.js';
import type { Dispatcher } from '../jobs/dispatcher.js';
import type { JobService } from '../jobs/job-service.js';
import type { JobStore } from '../jobs/job-store.js';
import type { KeyStore } from '../keys/key-store.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { GroupStore } from '../printers/group-store.js';
import type { Printer, PrinterRegistry } from '../printers/printer-registry.js';
import type { NotificationStore } from '../webhooks/notification-store.js';
import type { WebhookOutbox } from '../webhooks/webhook-outbox.js';
import type { EventStream } from './native/event-stream.js';

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
  /** Webhook targets, the durable webhook outbox, the live event feed (issue 4). */
  notifications: NotificationStore;
  webhooks: WebhookOutbox;
  eventStream: EventStream;
  metrics: GatewayMetrics;
  /** Cloud key sync state for /healthz; absent when cloud sync is off. */
  cloudStatus?: () => CloudSyncStatus;
  /** Health of the database: a trivial query. */
  dbHealthy: () => boolean;
}
