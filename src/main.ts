import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { cloudPrntTransportFactory, LANGUAGES, PROFILES, RENDER_WORKER_FILE, renderWorkerBuilt, TRANSPORT_FACTORIES } from '../drivers/index.js';
import { registerCloudMetrics } from './cloud/cloud-metrics.js';
import { cloudStalenessCheck } from './cloud/cloud-staleness-check.js';
import { createCloudSync } from './cloud/create-cloud-sync.js';
import { cloudPrntDocuments } from './cloudprnt/cloudprnt-documents.js';
import { CloudPrntHub } from './cloudprnt/cloudprnt-hub.js';
import { CloudPrntStore } from './cloudprnt/cloudprnt-store.js';
import { cloudPrntPolicy } from './cloudprnt/cloudprnt-policy.js';
import { PASSIVE_CLOUDPRNT_MAILBOX } from './cloudprnt/passive-mailbox.js';
import { checkConfigParts, type ConfigParts } from './config/check-config-parts.js';
import type { Config } from './config/schema.js';
import { DbChangeWatcher } from './db/db-change-watcher.js';
import { DB_FILE, openDatabase, walLimitBytes, walPath, type Db } from './db/open-database.js';
import { WalCheckpointer } from './db/wal-checkpointer.js';
import { WriteLock } from './db/write-lock.js';
import { readBootId } from './db/boot-id.js';
import type { Language, PrinterProfile, Transport, TransportFactory } from './driver-api/index.js';
import { Lifecycle } from './gateway/lifecycle.js';
import { openStorage } from './gateway/open-storage.js';
import { printerReloader } from './gateway/reload-printers.js';
import { startDiscovery } from './gateway/start-discovery.js';
import { startIpp } from './gateway/start-ipp.js';
import { HealthService } from './health/health-service.js';
import { createApp } from './http/create-app.js';
import { gatewayRoutes } from './http/gateway-routes.js';
import { statusPageSources } from './http/status/status-sources.js';
import { createServers } from './http/create-servers.js';
import { EventStream, subscribeEventStream } from './http/native/event-stream.js';
import type { RouteSpec } from './http/route-spec.js';
import { DeliveryThread } from './delivery/delivery-thread.js';
import { RoutedEngine } from './delivery/routed-engine.js';
import { CommitFence } from './jobs/commit-fence.js';
import { Dispatcher } from './jobs/dispatcher.js';
import { JobEvents } from './jobs/job-events.js';
import { JobRetention } from './jobs/job-retention.js';
import { JobStore } from './jobs/job-store.js';
import { JobsService } from './jobs/jobs-service.js';
import { RenderPool } from './jobs/render-pool.js';
import { inlineRenderer, type Renderer } from './jobs/renderer.js';
import { Spool } from './jobs/spool.js';
import { transportOpener } from './jobs/transport-opener.js';
import { Authenticator } from './keys/authenticator.js';
import { KeyStore } from './keys/key-store.js';
import { AuthFailureThrottle, TokenBucketLimiter } from './keys/rate-limiter.js';
import { LanguageRegistry } from './languages/language-registry.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { DevicesService } from './printers/devices-service.js';
import { GroupStore } from './printers/group-store.js';
import { PrinterRegistry, type Printer } from './printers/printer-registry.js';
import { readVersion } from './version.js';
import type { DeviceInfo } from './discovery/device-info.js';
import { resolveProfile } from './printers/printer-profile.js';
import { NotificationStore } from './webhooks/notification-store.js';
import { subscribeWebhookEvents } from './webhooks/webhook-events.js';
import { WebhookOutbox } from './webhooks/webhook-outbox.js';
import { WebhookWorker } from './webhooks/webhook-worker.js';
import { WebhookTargetPolicy } from './webhooks/target-policy.js';
import { loadOrCreateCertificate } from './tls/tls-certificate.js';
import { TlsRenewal } from './tls/tls-renewal.js';

/**
 * The composition root: the only place that wires modules together and the only importer of
 * drivers/. Every part comes in through GatewayParts, so a test can swap any of them.
 */

/** What the gateway is built from: drivers, printer families, a renderer and a clock. */
export interface GatewayParts {
  transports: readonly TransportFactory[];
  languages: readonly Language[];
  profiles: readonly PrinterProfile[];
  /** Where documents are rendered; absent: the render pool (worker threads within limits.render). */
  renderer?: Renderer;
  clock: () => Date;
}

export function defaultParts(): GatewayParts {
  return { transports: TRANSPORT_FACTORIES, languages: LANGUAGES, profiles: PROFILES, clock: () => new Date() };
}

/** The names a configuration may use with these parts (for `config check` and `doctor` too). */
export function configParts(parts: Pick<GatewayParts, 'transports' | 'languages' | 'profiles'> = defaultParts()): ConfigParts {
  return {
    languages: [...parts.languages.map((language) => language.name), 'auto'],
    schemes: [...parts.transports.flatMap((factory) => factory.schemes), 'cloudprnt'],
    profiles: parts.profiles.map((profile) => profile.id),
  };
}

export interface Gateway {
  server: Server;
  /**
   * SIGHUP: applies the log level and the printers of a new configuration (checked like at
   * start) without dropping a job: new printers start, removed ones stop, changed ones restart,
   * each job on the wire given server.shutdownGraceSeconds to finish. Other keys need a restart.
   */
  reload(next: Readonly<Config>): Promise<{ added: string[]; removed: string[]; changed: string[] }>;
  /** http://host:port as bound (port 0 in tests becomes the real port). */
  url: string;
  /** https://host:port with server.tls, else null. */
  httpsUrl: string | null;
  routes: RouteSpec[];
  db: Db;
  stop(): Promise<void>;
}

export interface GatewayDeps {
  config: Readonly<Config>;
  log: Logger;
  /** Replaces parts of defaultParts() (tests: a clock, a memory transport, a renderer). */
  parts?: Partial<GatewayParts>;
  /** stdout is the journal (see isJournalStream): the delivery thread's log lines say so too. */
  logJournal?: boolean;
}

/** Builds the gateway and starts it in order: database → listen → recover → workers → the rest. */
export async function startGateway({ config, log, parts: overrides = {}, logJournal = false }: GatewayDeps): Promise<Gateway> {
  const parts: GatewayParts = { ...defaultParts(), ...overrides };
  checkConfigParts(config, configParts(parts));
  const lifecycle = new Lifecycle(log);
  try {
    // The delivery thread builds its parts from drivers/ itself: only with the default parts.
    const thread = config.jobs.deliveryThread && Object.keys(overrides).length === 0;
    if (config.jobs.deliveryThread && !thread) log.warn({ parts: Object.keys(overrides) }, 'jobs.deliveryThread is on, but with parts of its own the gateway delivers on its main thread');
    if (thread && !existsSync(DELIVERY_THREAD_FILE)) throw new Error(`the delivery thread ${DELIVERY_THREAD_FILE} is missing: run npm run build`);
    return await buildAndStart(config, log, parts, lifecycle, thread ? { journal: logJournal } : null);
  } catch (error) {
    // Whatever started stops again (the lock is released), so the error is the only thing left.
    await lifecycle.stop();
    throw error;
  }
}

/** The delivery thread's entry, built (a source checkout runs the built file too, like the render thread). */
const DELIVERY_THREAD_FILE = ((): string => {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.ts') ? path.join(path.dirname(here), '..', 'dist', 'src', 'delivery-main.js') : path.join(path.dirname(here), 'delivery-main.js');
})();

async function buildAndStart(config: Readonly<Config>, log: Logger, parts: GatewayParts, lifecycle: Lifecycle, threadOptions: { journal: boolean } | null): Promise<Gateway> {
  const inThread = threadOptions !== null;
  const now = parts.clock;
  const fence = inThread ? new CommitFence() : undefined;
  const writeLock = inThread ? new WriteLock() : undefined;
  const { db, wal, spool, jobStore, storage } = openStorage(config.dataDir, now, log, lifecycle, { remoteFence: fence, writeLock });

  // Printers and their languages.
  const languages = new LanguageRegistry(parts.languages, [...parts.transports, cloudPrntTransportFactory(PASSIVE_CLOUDPRNT_MAILBOX)]);
  const profileById = new Map(parts.profiles.map((profile) => [profile.id, profile]));
  const groups = new GroupStore({ db, now });
  groups.applyConfigured(config.groups);
  const registry = new PrinterRegistry({ db, groups, profiles: (id) => profileById.get(id), languages, now });
  registry.syncConfigured(config.printers);
  const profileOf = (id: string): PrinterProfile | undefined => profileById.get(id);
  // Printers discovery found in earlier runs keep their queues before it sees them again.
  registry.loadDiscovered(({ profileId, language }) =>
    resolveProfile({ name: '', group: config.discovery.group, uri: '', language, ...(profileId && profileOf(profileId) ? { profile: profileId } : {}) }, profileOf),
  );
  lifecycle.onStop('printer bookkeeping', () => registry.flushLastSeen());
  // Rendering off the event loop; stopped after the workers that use it (stops run in reverse).
  const renderer = parts.renderer ?? renderPool(config, log);
  lifecycle.onStop('render pool', () => renderer.close?.());

  // CloudPRNT: Star printers poll /cloudprnt/{group}; their jobs wait in the hub until fetched and
  // confirmed. (A cycle at run time, not in the wiring: a printer that joins starts its worker.)
  const cloudprnt = new CloudPrntHub({
    registry,
    groups,
    store: new CloudPrntStore({ db, now }),
    profiles: (id) => profileById.get(id),
    log: log.child({ component: 'cloudprnt' }),
    now,
    documentOf: cloudPrntDocuments({ jobs: jobStore, spool }),
    onAdded: (printer) => devices.joined(printer),
    onBack: (printer) => engine.wake(printer.id),
    policy: cloudPrntPolicy(config),
  });
  cloudprnt.loadKnownPrinters();

  // Jobs: the engine (one worker per printer) and the use cases.
  const events = new JobEvents();
  // With jobs.deliveryThread, only CloudPRNT printers are driven here; the thread drives the rest.
  const isCloudPrnt = (printer: Printer | undefined): boolean => printer?.uri.startsWith('cloudprnt:') ?? false;
  const localPrinters = inThread
    ? { status: (id: string) => registry.status(id), updateStatus: registry.updateStatus.bind(registry), list: () => registry.list().filter(isCloudPrnt) }
    : registry;
  const local = new Dispatcher({
    jobs: jobStore,
    spool,
    registry: localPrinters,
    events,
    renderer,
    // A worker's mark before it sends may wait a moment to share the next request's fdatasync.
    durable: () => wal.syncSoon(),
    probeMs: config.discovery.probeSeconds * 1000,
    onStorageFull: () => storage.noteFull(),
    log,
    config,
    now,
    openTransport: transportOpener({ factories: [...parts.transports, cloudPrntTransportFactory(cloudprnt)], config, log }),
    languageOf: (printer) => languages.forPrinter(printer),
  });
  const thread = !inThread ? null : new DeliveryThread({
    entry: DELIVERY_THREAD_FILE, config, log, registry, jobs: jobStore, fence: fence!, writeLock: writeLock!, events,
    onStorageFull: () => storage.noteFull(),
    drives: (printer) => !isCloudPrnt(printer),
    bootId: readBootId(),
    journal: threadOptions?.journal ?? false,
  });
  const engine = thread ? new RoutedEngine(local, thread, (id) => isCloudPrnt(registry.get(id))) : local;
  const jobs = new JobsService({
    store: jobStore, spool, events, groups, printers: registry, languages, engine, renderer, durable: () => wal.sync(), storage, config, log, now,
  });
  const devices = new DevicesService({ registry, groups, engine, flushQueue: (id) => jobs.cancelAll(id), graceMs: config.server.shutdownGraceSeconds * 1000, log });

  // Keys, cloud sync, webhooks, the live event feed, health and metrics.
  const keys = new KeyStore({ db, now });
  const cloudSync = createCloudSync({ config, db, log, now });
  const authenticator = new Authenticator({
    keys,
    now,
    extraChecks: cloudSync ? [cloudStalenessCheck({ cloud: config.cloud, status: () => cloudSync.status() })] : [],
  });
  const webhookTargets = new WebhookTargetPolicy({ allowPrivateTargets: config.webhooks.allowPrivateTargets });
  const notifications = new NotificationStore({ db, now, targets: webhookTargets });
  const webhooks = new WebhookOutbox({ db, now, notifications });
  subscribeWebhookEvents({ events, registry, devices, groups, outbox: webhooks, mediaTypeOf: (printer) => languages.documentFormat(printer.language) });
  const stream = new EventStream({ now });
  subscribeEventStream({ events, registry, stream });
  const metrics = new GatewayMetrics({ registry, jobs: jobStore, events });
  if (cloudSync) registerCloudMetrics(metrics.registry, () => cloudSync.status());
  const health = new HealthService({ db, registry, storage, cloudStatus: cloudSync ? () => cloudSync.status() : undefined, queued: (id) => jobStore.countQueued(id) });

  // The HTTP front door (discovery starts after the workers; its list is read when asked).
  const discoveryRef: { current: { devices(): DeviceInfo[] } | null } = { current: null };
  const authFailures = new AuthFailureThrottle(config.limits.authFailures);
  const routes = gatewayRoutes({
    jobs, devices, groups, keys, authenticator, authFailures, notifications, webhooks, stream, health, metrics, cloudprnt, log, now,
    version: readVersion(),
    metricsRequireKey: config.metrics.requireKey,
    durable: () => wal.sync(),
    discovered: () => discoveryRef.current?.devices() ?? [],
    // Status page (helper "status"): TLS as served; printer states recorded for `printers list`.
    status: statusPageSources({ config, registry, now }),
    config, // HTTP edge (issue 14): limits.streams, limits.perKey.concurrentUploads, limits.maxDocumentBytes
  });
  const app = createApp({
    routes,
    auth: {
      authenticator,
      perKey: new TokenBucketLimiter(config.limits.perKey.ratePerSecond, config.limits.perKey.burst),
      failures: authFailures,
      onRefused: (code) => metrics.authFailures.inc({ code }),
    },
    log,
    starAuthStatus: config.compat.starAuthStatus,
    onAnswered: (method, status) => metrics.httpRequests.inc({ method, status: String(status) }),
  });

  // Start in order; stop in reverse. HTTP, and HTTPS with server.tls (a certificate made on first start, renewed before expiry).
  const tlsOptions = { dataDir: config.dataDir, ...config.server.tls, now };
  const tls = config.server.tls.enabled ? await loadOrCreateCertificate(tlsOptions) : null;
  if (tls?.renewed) log.info({ reason: tls.renewed, sha256: tls.sha256, spkiSha256: tls.spkiSha256 }, 'TLS certificate made');
  const http = await lifecycle.start('listen', () => createServers(app, config, tls, log), async (servers) => {
    stream.close();
    await servers.close();
  });
  if (tls?.source === 'generated') {
    const renewal = new TlsRenewal({ options: tlsOptions, log, onRenewed: (material) => http.setCertificate(material) });
    await lifecycle.start('certificate renewal', () => renewal.start(), () => renewal.stop());
  }
  await lifecycle.start('storage guard', () => storage.start(), () => storage.stop());
  const checkpointer = new WalCheckpointer({ db, dbFile: path.join(config.dataDir, DB_FILE), walFile: walPath(config.dataDir), limitBytes: walLimitBytes(config.dataDir), log });
  await lifecycle.start('wal checkpoints', () => checkpointer.start(), () => checkpointer.stop());
  const graceMs = config.server.shutdownGraceSeconds * 1000;
  await lifecycle.start('printer workers', async () => {
    if (thread) local.recoveredElsewhere((await thread.start()).sameBoot);
    else local.recover(readBootId());
    local.start();
  }, () => Promise.all([local.stop(graceMs), thread?.stop(graceMs)]));
  const webhookWorker = new WebhookWorker({ outbox: webhooks, log, now, targets: webhookTargets });
  const retention = new JobRetention({ jobs: jobStore, spool, config, log, now });
  await lifecycle.start('cloudprnt, webhooks, retention', () => {
    cloudprnt.start();
    webhookWorker.start();
    retention.start();
  }, async () => {
    retention.stop();
    cloudprnt.stop();
    await webhookWorker.stop();
  });
  // Discovery: the box announces itself on discovery.interfaces; devices found join discovery.group.
  discoveryRef.current = await startDiscovery({
    config, log, devices, profileOf,
    parts: { transports: parts.transports, profiles: parts.profiles },
    port: (http.http.address() as AddressInfo).port,
    version: readVersion(),
  }, lifecycle);

  // The CLI in another process (keys revoke, jobs release) is seen within a tick; so are cloud changes.
  const watcher = new DbChangeWatcher({ db, log, onChange: () => { jobStore.forgetCounts(); stream.recheckKeys(); engine.wakeAll(); } });
  await lifecycle.start('cloud sync, change watcher', () => {
    cloudSync?.onKeysChanged(() => stream.recheckKeys());
    cloudSync?.start();
    watcher.start();
  }, async () => {
    watcher.stop();
    await cloudSync?.stop();
  });

  // IPP Everywhere and raw ports: after the printer workers (stopped before them).
  await startIpp({ config, log, jobs, devices, authenticator, tls, now, jobStore, httpUrl: http.url }, lifecycle);

  const reload = printerReloader({ registry, engine, log, check: (next) => checkConfigParts(next, configParts(parts)) });

  // The render threads start with the first document (RenderPool.warm says why not before).
  return {
    server: http.http, url: http.url, httpsUrl: http.httpsUrl, routes, db,
    reload: (next) => {
      thread?.setLogLevel(next.log.level);
      return reload(next);
    },
    stop: () => lifecycle.stop(),
  };
}

/** What the CLI works with beside a running gateway: the same use cases on the same database. */
export interface CliServices {
  jobs: JobsService;
  registry: PrinterRegistry;
  store: JobStore;
  close(): void;
}

/**
 * The job use cases for a command-line process: the same database as `serve` (a running gateway
 * sees the changes within a tick through its change watcher), no workers of its own.
 */
export function cliServices(config: Readonly<Config>, log: Logger, overrides: Partial<GatewayParts> = {}): CliServices {
  const parts: GatewayParts = { ...defaultParts(), ...overrides };
  const now = parts.clock;
  const db = openDatabase({ dataDir: config.dataDir });
  const languages = new LanguageRegistry(parts.languages, [...parts.transports, cloudPrntTransportFactory(PASSIVE_CLOUDPRNT_MAILBOX)]);
  const profileById = new Map(parts.profiles.map((profile) => [profile.id, profile]));
  const groups = new GroupStore({ db, now });
  const registry = new PrinterRegistry({ db, groups, profiles: (id) => profileById.get(id), languages, now });
  registry.loadStored(config.printers);
  const store = new JobStore({ db, now });
  const besideGateway = { queued: () => undefined, canceled: () => undefined, refusal: () => null };
  const jobs = new JobsService({
    store, spool: new Spool(config.dataDir), events: new JobEvents(), groups, printers: registry, languages, engine: besideGateway, renderer: parts.renderer ?? inlineRenderer,
    // The CLI's connection commits with synchronous=FULL: every commit is durable already.
    durable: async () => undefined,
    storage: { refuseIfFull: () => undefined, noteFull: () => undefined },
    config, log, now,
  });
  return { jobs, registry, store, close: () => db.close() };
}

function renderPool(config: Readonly<Config>, log: Logger): RenderPool {
  if (!renderWorkerBuilt()) throw new Error(`the render thread ${RENDER_WORKER_FILE} is missing: run npm run build`);
  return new RenderPool({ workerFile: RENDER_WORKER_FILE, timeoutMs: config.limits.render.timeoutSeconds * 1000, memoryMB: config.limits.render.memoryMB, log });
}

/** Opens the transport for one device URI outside a running gateway (printers probe, doctor). */
export function openDeviceTransport(config: Readonly<Config>, log: Logger, uri: string): Transport {
  const open = transportOpener({ factories: [...TRANSPORT_FACTORIES, cloudPrntTransportFactory(PASSIVE_CLOUDPRNT_MAILBOX)], config, log });
  return open({ id: 'probe', uri });
}
