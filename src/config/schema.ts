import { z } from 'zod';

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
});
export type PrinterConfig = z.infer<typeof printerSchema>;

export const configSchema = z.strictObject({
  server: z
    .strictObject({
      host: z.string().min(1).default('0.0.0.0'),
      port: z.number().int().min(0).max(65535).default(8631),
      /** Seconds a SIGTERM waits for the job on the wire before it is re-queued. */
      shutdownGraceSeconds: z.number().min(0).max(120).default(5),
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
        })
        .prefault({}),
      authFailures: z
        .strictObject({
          maxFailures: z.number().int().positive().default(20),
          windowSeconds: z.number().int().positive().default(60),
          blockSeconds: z.number().int().positive().default(300),
        })
        .prefault({}),
    })
    .prefault({}),
  jobs: z
    .strictObject({
      inFlightAfterRestart: z.enum(['reprint', 'hold']).default('reprint'),
      maxAttempts: z.number().int().min(1).max(100).default(10),
      keepDays: z.number().min(0).default(7),
      keepCount: z.number().int().min(0).default(10000),
      connectTimeoutMs: z.number().int().positive().default(5000),
      confirmTimeoutMs: z.number().int().positive().default(10000),
      /** A printer that accepts the connection but takes no byte for this long is stopped with reason "stalled". */
      stallSeconds: z.number().positive().max(3600).default(30),
      retryInitialMs: z.number().int().positive().default(500),
      retryMaxMs: z.number().int().positive().default(30000),
      /** How long a printer may take to answer a status query before the job completes unconfirmed. */
      statusTimeoutMs: z.number().int().positive().default(1000),
      /** How often an idle printer that answers status queries is asked (0 = only around jobs). */
      statusPollMs: z.number().int().min(0).default(30000),
    })
    .prefault({}),
  compat: z
    .strictObject({
      starAuthStatus: z.boolean().default(false),
    })
    .prefault({}),
  metrics: z
    .strictObject({
      requireKey: z.boolean().default(false),
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
    })
    .prefault({}),
});

export type ConfigInput = z.input<typeof configSchema>;
export type Config = z.infer<typeof configSchema>;
