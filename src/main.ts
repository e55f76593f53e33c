import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { cloudPrntTransportFactory, findProfile, LANGUAGES, PROFILES, TRANSPORT_FACTORIES } from '../drivers/index.js';
import { CloudPrntHub } from './cloudprnt/cloudprnt-hub.js';
import { CloudPrntStore } from './cloudprnt/cloudprnt-store.js';
import { parseDeviceUri } from './cloudprnt/cloudprnt-uri.js';
import { PASSIVE_CLOUDPRNT_MAILBOX } from './cloudprnt/passive-mailbox.js';
import { ConfigError } from './config/config-error.js';
import type { Config } from './config/schema.js';
import type { DiscoveryParts } from './discovery/create-discovery.js';
import { openDatabase, type Db } from './db/open-database.js';
import type { Language, Transport, TransportContext, TransportFactory } from './driver-api/index.js';
import { AppError } from './errors/app-error.js';
import { answerClientError } from './http/client-error.js';
import { createApp } from './http/create-app.js';
import type { HttpContext } from './http/http-context.js';
import type { RouteSpec } from './http/route-spec.js';
import { Dispatcher } from './jobs/dispatcher.js';
import { JobEvents } from './jobs/job-events.js';
import { JobService } from './jobs/job-service.js';
import { JobRetention } from './jobs/job-retention.js';
import { JobStore } from './jobs/job-store.js';
import { Spool } from './jobs/spool.js';
import { Authenticator } from './keys/authenticator.js';
import { DbChangeWatcher } from './db/db-change-watcher.js';
import { KeyStore } from './keys/key-store.js';
import { AuthFailureThrottle, TokenBucketLimiter } from './keys/rate-limiter.js';
import { GroupStore } from './printers/group-store.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { PrinterRegistry, type Printer } from './printers/printer-registry.js';
import { readVersion } from './version.js';
import { registerCloudMetrics } from './cloud/cloud-metrics.js';
import { cloudStalenessCheck } from './cloud/cloud-staleness-check.js';
import { createCloudSync } from './cloud/create-cloud-sync.js';
import { EventStream, subscribeEventStream } from './http/native/event-stream.js';
import { NotificationStore } from './webhooks/notification-store.js';
import { deviceEnvelope, subscribeWebhookEvents } from './webhooks/webhook-events.js';
import { starStatus } from './webhooks/star-status.js';
import { WebhookOutbox } from './webhooks/webhook-outbox.js';
import { WebhookWorker } from './webhooks/webhook-worker.js';

/**
 * The composition root: the only place that wires modules together and the only importer of
 * drivers/. Everything is built from the frozen config, a logger and a clock.
 */

export interface GatewayDeps {
  config: Readonly<Config>;
  log: Logger;
  now?: () => Date;
}

export interface Gateway {
  server: Server;
  /** http://host:port as bound (port 0 in tests becomes the real port). */
  url: string;
  routes: RouteSpec[];
  db: Db;
  stop(): Promise<void>;
}

function transportOpener(config: Readonly<Config>, log: Logger, factories: readonly TransportFactory[] = TRANSPORT_FACTORIES) {
  const bySchemes = new Map(factories.flatMap((factory) => factory.schemes.map((scheme) => [scheme, factory] as const)));
  return (printer: Printer): Transport => {
    let uri: URL;
    try {
      uri = parseDeviceUri(printer.uri);
    } catch {
      throw new AppError('UNSUPPORTED_URI', `printer ${printer.id}: "${printer.uri}" is not a valid device URI`);
    }
    const scheme = uri.protocol.replace(/:$/, '');
    const factory = bySchemes.get(scheme);
    if (!factory) {
      throw new AppError('UNSUPPORTED_URI', `printer ${printer.id}: no transport for "${scheme}:" (supported: ${[...bySchemes.keys()].join(', ')})`);
    }
    const context: TransportContext = {
      log: log.child({ printerId: printer.id, transport: scheme }),
      connectTimeoutMs: config.jobs.connectTimeoutMs,
      confirmTimeoutMs: config.jobs.confirmTimeoutMs,
      sysfsRoot: config.devices.sysfsRoot,
      devRoot: config.devices.devRoot,
    };
    return factory.create(uri, context);
  };
}

/**
 * `language: auto`: the named profile's language; else pdf for an IPP printer (office printers take
 * PDF), starprnt for a CloudPRNT printer, escpos (the most common receipt language) for the rest.
 */
function autoLanguage(printer: Printer): string {
  if (printer.profile.language !== undefined) return printer.profile.language;
  if (/^ipps?:/.test(printer.uri)) return 'pdf';
  if (printer.uri.startsWith('cloudprnt:')) return 'starprnt';
  return 'escpos';
}

function languageResolver() {
  const byName = new Map(LANGUAGES.map((language) => [language.name, language] as const));
  return (printer: Printer): Language => {
    const language = byName.get(printer.language === 'auto' ? autoLanguage(printer) : printer.language);
    if (!language) {
      throw new AppError('UNSUPPORTED_URI', `printer ${printer.id}: language "${printer.language}" is not built yet (available: ${[...byName.keys()].join(', ')})`);
    }
    return language;
  };
}

/** A `printers[].profile` that names no known family is a config mistake: stop with exit 78. */
function checkProfiles(config: Readonly<Config>): void {
  const problems = config.printers.flatMap((printer, index) =>
    printer.profile === undefined || findProfile(printer.profile)
      ? []
      : [`printers[${index}].profile: unknown profile "${printer.profile}" (known: ${PROFILES.map((profile) => profile.id).join(', ')})`],
  );
  if (problems.length > 0) throw new ConfigError('invalid configuration', problems);
}

export async function startGateway(deps: GatewayDeps): Promise<Gateway> {
  const { config, log } = deps;
  checkProfiles(config);
  const now = deps.now ?? (() => new Date());
  const db = openDatabase({ dataDir: config.dataDir });
  const spool = new Spool(config.dataDir);
  const leftovers = spool.cleanPartials();
  if (leftovers > 0) log.warn({ files: leftovers }, 'removed partial spool files of requests a crash cut short');

  const keys = new KeyStore({ db, now });
  const cloudSync = createCloudSync({ config, db, log, now });
  const groups = new GroupStore({ db, now });
  const registry = new PrinterRegistry({ db, groups, profiles: findProfile, now });
  registry.syncConfigured(config.printers);
  // CloudPRNT: Star printers poll /cloudprnt/{group}; their jobs wait in the hub until fetched and confirmed.
  const cloudprnt = new CloudPrntHub({
    registry,
    groups,
    store: new CloudPrntStore({ db, now }),
    profiles: findProfile,
    log: log.child({ component: 'cloudprnt' }),
    now,
    documentOf: async (jobId) => {
      const job = jobs.get(jobId);
      if (!job) return null;
      const { copies, preBuzzer, postBuzzer, drawer } = job.options;
      return { contentType: job.contentType, body: await spool.read(job.spoolFile), plain: copies <= 1 && preBuzzer === 0 && postBuzzer === 0 && drawer === 'none' };
    },
    onAdded: (printer) => {
      dispatcher.addPrinter(printer);
      webhooks.enqueue(printer.groupPath, deviceEnvelope(groups, printer, 'connection', 'added_new', { Status: starStatus(registry.status(printer.id)) }));
    },
    onBack: (printer) => dispatcher.notify(printer.id),
  });
  cloudprnt.loadKnownPrinters();
  const jobs = new JobStore({ db, now });
  const events = new JobEvents();
  const languageFor = languageResolver();
  const dispatcher = new Dispatcher({
    jobs,
    spool,
    registry,
    events,
    log,
    config,
    now,
    openTransport: transportOpener(config, log, [...TRANSPORT_FACTORIES, cloudPrntTransportFactory(cloudprnt)]),
    languageFor,
  });
  const metrics = new GatewayMetrics({ registry, jobs, events });
  const retention = new JobRetention({ jobs, spool, config, log, now });
  const notifications = new NotificationStore({ db, now });
  const webhooks = new WebhookOutbox({ db, now, notifications });
  const webhookWorker = new WebhookWorker({ outbox: webhooks, log, now });
  subscribeWebhookEvents({ events, registry, groups, outbox: webhooks });
  const eventStream = new EventStream({ now });
  subscribeEventStream({ events, registry, stream: eventStream });
  // Open event streams of a key revoked (or disabled, narrowed, removed) close at once: by cloud
  // sync here, by the CLI in another process through the watcher, by the key API in its route.
  cloudSync?.onKeysChanged(() => eventStream.recheckKeys());
  if (cloudSync) registerCloudMetrics(metrics.registry, () => cloudSync.status());
  // The CLI in another process (keys revoke, jobs release) is seen within a tick.
  const keyWatcher = new DbChangeWatcher({
    db,
    log,
    onChange: () => {
      eventStream.recheckKeys();
      dispatcher.notifyAll();
    },
  });
  const jobService = new JobService({ jobs, spool, events, config, log, now, notify: (id) => dispatcher.notify(id) });

  const ctx: HttpContext = {
    config,
    log,
    version: readVersion(),
    now,
    keys,
    groups,
    registry,
    jobs,
    jobService,
    dispatcher,
    languageFor,
    metrics,
    notifications,
    webhooks,
    eventStream,
    ...(cloudSync ? { cloudStatus: () => cloudSync.status() } : {}),
    dbHealthy: () => {
      try {
        return db.prepare('SELECT 1 AS ok').get() !== undefined;
      } catch {
        return false;
      }
    },
  };
  const { app, routes } = createApp({
    ctx,
    cloudprnt,
    auth: {
      authenticator: new Authenticator({
        keys,
        now,
        extraChecks: cloudSync ? [cloudStalenessCheck({ cloud: config.cloud, status: () => cloudSync.status() })] : [],
      }),
      perKey: new TokenBucketLimiter(config.limits.perKey.ratePerSecond, config.limits.perKey.burst),
      failures: new AuthFailureThrottle(config.limits.authFailures),
    },
  });

  dispatcher.start();
  cloudprnt.start();
  webhookWorker.start();
  retention.start();
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(config.server.port, config.server.host, () => resolve(listening));
    listening.once('error', reject);
  });
  server.on('clientError', answerClientError);
  server.headersTimeout = 30_000;
  server.requestTimeout = 300_000;
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  cloudSync?.start();
  keyWatcher.start();

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await cloudSync?.stop();
      keyWatcher.stop();
      eventStream.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // Long-lived responses (event streams) must not hold the shutdown.
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      retention.stop();
      await dispatcher.stop(config.server.shutdownGraceSeconds * 1000);
      cloudprnt.stop();
      await webhookWorker.stop();
      db.close();
    })();
    return stopping;
  };
  return { server, url, routes, db, stop };
}

/** Opens the transport for one device URI outside a running gateway (printers probe, doctor). */
export function openDeviceTransport(config: Readonly<Config>, log: Logger, uri: string): Transport {
  const open = transportOpener(config, log, [...TRANSPORT_FACTORIES, cloudPrntTransportFactory(PASSIVE_CLOUDPRNT_MAILBOX)]);
  return open({ id: 'probe', uri } as Printer);
}

/** What discovery needs from drivers/ (the listing transports and the profiles), for `printgate discover`. */
export function discoveryParts(): DiscoveryParts {
  return { transports: TRANSPORT_FACTORIES, profiles: PROFILES };
}
