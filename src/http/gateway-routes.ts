import type { Logger } from 'pino';
import type { CloudPrntHub } from '../cloudprnt/cloudprnt-hub.js';
import type { Config } from '../config/schema.js';
import type { HealthService } from '../health/health-service.js';
import type { JobsService } from '../jobs/jobs-service.js';
import type { Authenticator } from '../keys/authenticator.js';
import { ConcurrencyLimiter } from '../keys/concurrency-limiter.js';
import type { KeyStore } from '../keys/key-store.js';
import type { AuthFailureThrottle } from '../keys/rate-limiter.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { DevicesService } from '../printers/devices-service.js';
import type { GroupStore } from '../printers/group-store.js';
import type { NotificationStore } from '../webhooks/notification-store.js';
import type { WebhookOutbox } from '../webhooks/webhook-outbox.js';
import { cloudPrntRoutes } from './cloudprnt/cloudprnt-routes.js';
import { withDocumentLimits } from './document-uploads.js';
import { EdgeMetrics } from './edge-metrics.js';
import type { EventStream } from './native/event-stream.js';
import { eventRoutes } from './native/event-routes.js';
import { discoveryRoutes } from './native/discovery-routes.js';
import type { DeviceInfo } from '../discovery/device-info.js';
import { jobRoutes } from './native/job-routes.js';
import { keyRoutes } from './native/key-routes.js';
import { nativeRoutes } from './native/native-routes.js';
import { previewRoutes } from './native/preview-routes.js';
import { withOpenApi } from './openapi.js';
import type { RouteSpec } from './route-spec.js';
import { starDeviceRoutes } from './star/star-device-routes.js';
import { starGroupRoutes } from './star/star-group-routes.js';
import { starNotificationRoutes } from './star/star-notification-routes.js';
import { starPrintRoutes } from './star/star-print-routes.js';
import { starQueueRoutes } from './star/star-queue-routes.js';
import type { StatusPageSources } from './status/status-sources.js';
import { statusRoutes } from './status/status-routes.js';

/** The services the HTTP front door is built on; each router below takes only the ones it uses. */
export interface HttpServices {
  jobs: JobsService;
  devices: DevicesService;
  groups: GroupStore;
  keys: KeyStore;
  authenticator: Authenticator;
  authFailures: AuthFailureThrottle;
  notifications: NotificationStore;
  webhooks: WebhookOutbox;
  stream: EventStream;
  health: HealthService;
  metrics: GatewayMetrics;
  cloudprnt: CloudPrntHub;
  log: Logger;
  now: () => Date;
  version: string;
  metricsRequireKey: boolean;
  /** Resolves once every commit so far is on stable storage. */
  durable: () => Promise<void>;
  /** What discovery sees now. */
  discovered: () => DeviceInfo[];
  /** What the status page shows beside these services (TLS as served). */
  status: StatusPageSources;
  /** limits: event streams, uploads and documents at the edge. */
  config: Pick<Readonly<Config>, 'limits'>;
}

/** Every route printgate serves, with its declared access. */
export function gatewayRoutes(s: HttpServices): RouteSpec[] {
  const { jobs, devices, groups, log, now } = s;
  const { limits } = s.config;
  const edge = new EdgeMetrics(s.metrics.registry);
  const routes = withOpenApi(s.version, [
    ...cloudPrntRoutes({ hub: s.cloudprnt, groups, authenticator: s.authenticator, failures: s.authFailures }),
    ...nativeRoutes({ health: s.health, metrics: s.metrics, devices, jobs, version: s.version, metricsRequireKey: s.metricsRequireKey }),
    ...keyRoutes({ keys: s.keys, stream: s.stream, log, now, durable: s.durable }),
    ...starPrintRoutes({ jobs, devices, now }),
    ...starGroupRoutes({ groups, devices, notifications: s.notifications, log }),
    ...starDeviceRoutes({ devices, groups, jobs, log, now }),
    ...starQueueRoutes({ jobs, devices, groups, log, now }),
    ...starNotificationRoutes({ groups, notifications: s.notifications, webhooks: s.webhooks, log }),
    ...jobRoutes({ jobs, devices, log }),
    ...previewRoutes({ jobs }),
    ...eventRoutes({ stream: s.stream, authenticator: s.authenticator, log, now, limits: limits.streams, ...edge.streamHooks() }),
    ...discoveryRoutes({ discovered: s.discovered, devices, log }),
    ...statusRoutes({ devices, jobs, keys: s.keys, health: s.health, stream: s.stream, authenticator: s.authenticator, sources: s.status, version: s.version, log, now }),
  ]);
  return withDocumentLimits(routes, {
    maxDocumentBytes: limits.maxDocumentBytes,
    uploads: new ConcurrencyLimiter({ perKey: limits.perKey.concurrentUploads }),
    onRefused: (code) => edge.limited.inc({ code }),
  });
}
