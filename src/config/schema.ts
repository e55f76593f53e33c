import { z } from 'zod';
import { DEFAULT_RENDER_LIMITS } from '../driver-api/language.js';
import { isNetworkList, LINK_LOCAL_NETWORKS, LOOPBACK_NETWORKS, PRIVATE_NETWORKS } from '../net/address-list.js';

/**
 * The configuration schema: the single source of truth for keys, defaults and validation.
 * `PRINTGATE_*` environment overrides are derived from it (see env-overrides.ts), and
 * config/printgate.example.yaml documents every key (a test keeps them in step).
 */

const matchPath = z
  .string()
  .regex(/^[a-z0-9_-]{1,64}$/, 'must be 1-64 lowercase letters, digits, "-" or "_"');

export const printerSchema = z.strictObject({
  name: z.string().min(1).max(100),
  group: matchPath,
  appId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, "-" or "_"')
    .optional(),
  uri: z.string().regex(/^[a-z][a-z0-9+.-]*:/, 'must be a device URI such as socket://10.0.0.7:9100'),
  /** A language the gateway was built with (escpos, starprnt, starline, zpl, raw, pdf) or auto; checked against them by checkConfigParts. */
  language: z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be a language name such as escpos, zpl or auto').default('escpos'),
  profile: z.string().optional(),
  paperWidthMM: z.number().positive().max(300).optional(),
  printableWidthMM: z.number().positive().max(300).optional(),
  dotsPerMM: z.number().positive().max(48).optional(),
  /** Ask the printer for its status (ESC/POS DLE EOT, Star ASB, ZPL ~HS) before and after jobs: auto (default) or off. */
  statusQuery: z.enum(['auto', 'off']).optional(),
  /** How photos and PDF pages become dots: error diffusion (floyd-steinberg, atkinson) or a plain threshold. */
  dither: z.enum(['floyd-steinberg', 'atkinson', 'threshold']).optional(),
  /** 0-255: pixels darker than this print (the threshold, and the bias of the diffusing algorithms). */
  ditherThreshold: z.number().int().min(0).max(255).optional(),
  /** Shared by the IPP server (ipp.enabled) as an IPP Everywhere printer: true (default) or false to keep it off IPP. */
  ipp: z.boolean().optional(),
  /** A raw TCP port (AppSocket/JetDirect, like 9100) whose bytes become raw jobs for this printer; ipp.allow guards it. */
  rawPort: z.number().int().min(1).max(65535).optional(),
});
export type PrinterConfig = z.infer<typeof printerSchema>;

/** A list of IP addresses and CIDR networks. */
const networkList = z.array(z.string()).refine(isNetworkList, 'every entry must be an IP address or a CIDR network, e.g. 192.168.1.0/24');

/** A device group set from the config file; fields left out keep what the database holds. */
export const groupSchema = z.strictObject({
  path: matchPath,
  name: z.string().trim().min(1).max(100).optional(),
  enabled: z.boolean().optional(),
  /** CloudPRNT polls, fetches and confirmations need an API key (PrintToDevice) as the printer's password. */
  requireDeviceKey: z.boolean().optional(),
  /** Unknown CloudPRNT printers polling this group join it (within cloudprnt.autoCreate limits). */
  autoCreateDeviceQueue: z.boolean().optional(),
  /** How the group's CloudPRNT printers confirm a job: DELETE (default), or GET with &delete for firmware that needs it. */
  cloudprntDeleteMethod: z.enum(['DELETE', 'GET']).optional(),
});
export type GroupConfig = z.infer<typeof groupSchema>;

/** server.tls: HTTPS next to (or instead of) plain HTTP. */
export const tlsSchema = z.strictObject({
  enabled: z.boolean().default(false),
  port: z.number().int().min(0).max(65535).default(8632),
  /** An operator's certificate (PEM, chain allowed) and key; without them the box makes its own. */
  certFile: z.string().min(1).optional(),
  keyFile: z.string().min(1).optional(),
  /** full: HTTP serves everything; redirect: HTTP only redirects to HTTPS; cloudprnt-only: HTTP serves /cloudprnt and redirects the rest. */
  httpMode: z.enum(['full', 'redirect', 'cloudprnt-only']).default('full'),
  /** Extra names and addresses for the generated certificate's SAN (the host name and interface addresses are always in it). */
  hostnames: z.array(z.string().min(1).max(253)).default([]),
  /** A generated certificate is made again this many days before it expires (checked at start and daily). */
  renewDaysBefore: z.number().int().min(1).max(365).default(30),
});

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8631),
      /** Seconds a SIGTERM waits for the job on the wire before it is re-queued. */
      shutdownGraceSeconds: z.number().min(0).max(120).default(5),
      tls: tlsSchema.prefault({}),
      /**
       * Host header values served besides the box's own names and addresses (host name, <host>.local
       * and any *.local, localhost, interface and loopback addresses, server.tls.hostnames): names,
       * *.suffix patterns, addresses or CIDR networks; "*" switches the check off. Others: 421.
       */
      allowedHosts: z
        .array(
          z
            .string()
            .trim()
            .max(253)
            .regex(/^(?:\*|(?:\*\.)?[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?|[0-9a-f:.]+(?:\/\d{1,3})?)$/i, 'must be a host name, *.suffix, an IP address, a CIDR network or "*"'),
        )
        .default([]),
      /** Browser origins (scheme://host[:port], or "null") whose pages may call the API; others with an Origin header: 403. */
      cors: z
        .strictObject({
          origins: z.array(z.string().trim().regex(/^(?:null|\*|https?:\/\/[^/\s]+)$/, 'must be an origin such as https://pos.example.com (no path), "null" or "*"')).default([]),
        })
        .prefault({}),
      /** Open connections one client address may hold; more are answered 429 TOO_MANY_CONNECTIONS and closed. */
      maxConnectionsPerClient: z.number().int().min(1).max(100_000).default(64),
      /** Open connections in all; more are closed at once. */
      maxConnections: z.number().int().min(1).max(1_000_000).default(1024),
      /** Slow clients: seconds for the headers, for the whole request, and of silence on a connection. */
      timeouts: z
        .strictObject({
          headersSeconds: z.number().min(1).max(600).default(5),
          requestSeconds: z.number().min(1).max(3600).default(60),
          idleSeconds: z.number().min(1).max(3600).default(60),
        })
        .prefault({}),
    })
    .prefault({}),
  dataDir: z.string().min(1).default('./var'),
  log: z
    .strictObject({
      level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    })
    .prefault({}),
  printers: z
    .array(printerSchema)
    .default([])
    .superRefine((printers, ctx) => {
      const seen = new Map<string, number>();
      printers.forEach((printer, index) => {
        for (const [field, value] of [['name', printer.name.toLowerCase()], ['appId', printer.appId]] as const) {
          if (value === undefined) continue;
          const key = `${field}:${value}`;
          const first = seen.get(key);
          if (first !== undefined) {
            ctx.addIssue({ code: 'custom', path: [index, field], message: `duplicates printers.${first}.${field}` });
          } else {
            seen.set(key, index);
          }
        }
      });
    }),
  groups: z
    .array(groupSchema)
    .default([])
    .superRefine((groups, ctx) => {
      const seen = new Map<string, number>();
      groups.forEach((group, index) => {
        const first = seen.get(group.path);
        if (first !== undefined) ctx.addIssue({ code: 'custom', path: [index, 'path'], message: `duplicates groups.${first}.path` });
        else seen.set(group.path, index);
      });
    }),
  cloudprnt: z
    .strictObject({
      autoCreate: z
        .strictObject({
          /** Client networks that may register new printers (AutoCreateDeviceQueue). */
          allowedNetworks: networkList.default([...LOOPBACK_NETWORKS, ...PRIVATE_NETWORKS, ...LINK_LOCAL_NETWORKS]),
          maxDevicesPerGroup: z.number().int().min(0).max(10_000).default(64),
          newDevicesPerMinute: z.number().int().min(0).max(10_000).default(10),
        })
        .prefault({}),
      /** Bounds on the poll interval a printer reports (GetPollInterval); it decides when the printer counts as offline. */
      minPollSeconds: z.number().min(1).max(3600).default(1),
      maxPollSeconds: z.number().min(1).max(3600).default(120),
    })
    .prefault({}),
  webhooks: z
    .strictObject({
      /** Loopback, link-local, private-LAN or own addresses webhooks may reach: CIDR networks, addresses or host names. */
      allowPrivateTargets: z.array(z.string().min(1).max(253)).default([]),
    })
    .prefault({}),
  discovery: z
    .strictObject({
      /**
       * Network interfaces mDNS browses and advertises on (e.g. [eth0, wlan0]); [] = mDNS off, the
       * embedded default: a box never advertises on an interface nobody chose.
       */
      interfaces: z
        .array(z.string().regex(/^[A-Za-z0-9_.:@-]{1,15}$/, 'must be a network interface name such as eth0'))
        .default([])
        .refine((names) => new Set(names).size === names.length, 'names an interface twice'),
      /** The Star device group discovered printers join (created if missing). */
      group: matchPath.default('discovered'),
      /** List serial ports (USB-serial adapters with vendor ids; consoles such as /dev/ttyS0 never). */
      serial: z.boolean().default(true),
      /** List USB printer-class devices (/sys/class/usbmisc/lpN). */
      usb: z.boolean().default(true),
      /** Live status of every printer, printing or not, every this many seconds. */
      probeSeconds: z.number().int().min(1).max(3600).default(30),
    })
    .prefault({}),
  ipp: z
    .strictObject({
      /** The IPP Everywhere server (one IPP printer per printer at /ipp/print/{AccessIdentifier}) and the raw ports. */
      enabled: z.boolean().default(false),
      /** IPP and, with server.tls.enabled, IPPS on the same port; 631 where the service may bind it. */
      port: z.number().int().min(0).max(65535).default(8632),
      /** Client networks (CIDR or addresses) allowed to print by IPP and raw ports; [] = nobody. */
      allow: networkList.default([]),
      /** Also ask for HTTP Basic with a printgate key (the password) holding PrintToDevice for the printer's group. */
      requireKey: z.boolean().default(false),
      /** Announce each IPP printer as _ipp._tcp (+ _ipps._tcp) on discovery.interfaces. */
      advertise: z.boolean().default(true),
      /** A raw port's job ends when the client closes, or after this many seconds without a byte. */
      rawIdleSeconds: z.number().positive().max(3600).default(5),
    })
    .prefault({}),
  /** Where device facts are read: the real roots on a box; other roots for containers and tests. */
  devices: z
    .strictObject({
      /** sysfs root: USB printers are found under {sysfsRoot}/class/usbmisc/lpN. */
      sysfsRoot: z.string().min(1).default('/sys'),
      /** /dev root: USB printer device files are {devRoot}/usb/lpN. */
      devRoot: z.string().min(1).default('/dev'),
    })
    .prefault({}),
  limits: z
    .strictObject({
      maxDocumentBytes: z.number().int().positive().default(10 * 1024 * 1024),
      maxQueuedJobs: z.number().int().positive().default(1000),
      perKey: z
        .strictObject({
          ratePerSecond: z.number().positive().default(20),
          burst: z.number().int().positive().default(100),
          /** Documents one key may be uploading at once; more: 429 TOO_MANY_UPLOADS. */
          concurrentUploads: z.number().int().positive().default(8),
        })
        .prefault({}),
      authFailures: z
        .strictObject({
          maxFailures: z.number().int().positive().default(20),
          windowSeconds: z.number().int().positive().default(60),
          blockSeconds: z.number().int().positive().default(300),
        })
        .prefault({}),
      /** Open event streams (GET /api/v1/events): per key and in all (429 TOO_MANY_STREAMS), and what a stream that is not read may hold. */
      streams: z
        .strictObject({
          perKey: z.number().int().positive().default(4),
          total: z.number().int().positive().default(64),
          maxBufferedBytes: z.number().int().min(4096).default(1024 * 1024),
        })
        .prefault({}),
      /** What rendering one document may cost (RenderBudget); over it: DOCUMENT_TOO_COMPLEX. */
      render: z
        .strictObject({
          /** Pixels decoded and drawn per document: every image, PDF page and label together. */
          maxPixels: z.number().int().positive().default(DEFAULT_RENDER_LIMITS.maxPixels),
          /** Pages of a PDF that is rasterised (a PDF passed through to an office printer is not limited). */
          maxPages: z.number().int().positive().default(DEFAULT_RENDER_LIMITS.maxPages),
          /** Bytes the rendered output of one job may take. */
          maxOutputBytes: z.number().int().positive().default(DEFAULT_RENDER_LIMITS.maxOutputBytes),
          /** Tallest image, PDF page or label, in millimetres of paper. */
          maxPageHeightMM: z.number().positive().default(DEFAULT_RENDER_LIMITS.maxPageHeightMM),
          /** Wall-clock seconds one render or preview may take in the render worker pool. */
          timeoutSeconds: z.number().positive().max(600).default(30),
          /** Memory one render worker may use; a worker past it is stopped and its job aborted. */
          memoryMB: z.number().int().min(64).default(512),
        })
        .prefault({}),
    })
    .prefault({}),
  jobs: z
    .strictObject({
      inFlightAfterRestart: z.enum(['reprint', 'hold']).default('reprint'),
      /**
       * Under `reprint`: how many times one job is sent again after restarts. A job on the wire at
       * more restarts than this (a gateway in a crash loop, a printer that takes bytes and never
       * confirms) is held instead, so it never prints a dozen times.
       */
      maxReprints: z.number().int().min(0).max(100).default(2),
      maxAttempts: z.number().int().min(1).max(100).default(10),
      keepDays: z.number().min(0).default(7),
      keepCount: z.number().int().min(0).default(10000),
      connectTimeoutMs: z.number().int().positive().default(5000),
      confirmTimeoutMs: z.number().int().positive().default(10000),
      /**
       * A printer confirmed by its close (no status answers): after its last queued job is written,
       * the connection stays open this long for the next one, which is then sent on it at once;
       * the close then confirms them all. 0: every batch on a connection of its own.
       */
      sessionLingerMs: z.number().int().min(0).max(1000).default(50),
      /** A printer that accepts the connection but takes no byte for this long is stopped with reason "stalled". */
      stallSeconds: z.number().positive().max(3600).default(30),
      retryInitialMs: z.number().int().positive().default(500),
      retryMaxMs: z.number().int().positive().default(30000),
      /** How long a printer may take to answer a status query before the job completes unconfirmed. */
      statusTimeoutMs: z.number().int().positive().default(1000),
      /** How often an idle printer that answers status queries is asked (0 = only around jobs). */
      statusPollMs: z.number().int().min(0).default(30000),
      /**
       * Printer workers (every printer but CloudPRNT ones) in a thread of their own, with their own
       * database connection, so accepting jobs and sending them use two cores.
       */
      deliveryThread: z.boolean().default(false),
    })
    .prefault({}),
  compat: z
    .strictObject({
      starAuthStatus: z.boolean().default(false),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      /** /metrics needs a key with ViewStatus; false: anyone who reaches the port may read it. */
      requireKey: z.boolean().default(true),
    })
    .prefault({}),
  cloud: z
    .strictObject({
      url: z.url().optional(),
      gatewayId: z.string().min(1).optional(),
      tokenFile: z.string().optional(),
      publicKeys: z.array(z.string()).default([]),
      pollSeconds: z.number().positive().default(30),
      stream: z.boolean().default(true),
      maxStalenessSeconds: z.number().min(0).default(0),
      onStale: z.enum(['keep', 'deny-cloud-keys']).default('keep'),
      /** A cloud clock further than this ahead or behind is reported (log, /healthz degraded, metric). */
      maxClockSkewSeconds: z.number().min(1).default(120),
    })
    .prefault({}),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.infer<typeof configSchema>;
