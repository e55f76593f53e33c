import http from 'node:http';
import { benchConfigOverride } from './bench-env.js';
import { createKey, GatewayProcess, writeConfig } from './gateway-process.js';

/** A printer of a bench gateway: its appId is its place in the list (p0, p1, …). */
export interface BenchPrinter {
  uri: string;
  language: string;
}

export interface BenchGatewayOptions {
  printers: readonly BenchPrinter[];
  /** node flags for the serve child (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Extra environment of the serve child (the heap sampler's file). */
  env?: Record<string, string>;
  /** The CLI file serve runs from (the bundle unless said: the profile runs the unbundled one). */
  entry?: string;
  /** A fixed port (startup timing polls it before the listening line); default 0. */
  port?: number;
  permissions?: string[];
  /** Extra top-level config keys (merged over the bench's). */
  config?: Record<string, unknown>;
}

export const GROUP = 'bench';

/** jobs.statusQuery of the bench printers: plain sinks have no back-channel (BENCH_STATUS_QUERY=auto asks anyway). */
const STATUS_QUERY = process.env.BENCH_STATUS_QUERY === 'auto' ? 'auto' : 'off';

/**
 * printgate as it runs in production, for a benchmark: `node dist/src/cli.js serve --config …` in
 * its own process, logs at info on a pipe, discovery off, per-key limits (rate, burst, uploads at
 * once), connections per client and the queue limit raised so that no submit of a run is refused
 * (the limiters stay on the path). BENCH_CONFIG goes over all of it.
 */
export class BenchGateway {
  readonly process: GatewayProcess;
  readonly key: string;
  private readonly files: ReturnType<typeof writeConfig>;

  private constructor(files: ReturnType<typeof writeConfig>, key: string, child: GatewayProcess) {
    this.files = files;
    this.key = key;
    this.process = child;
  }

  static async start(options: BenchGatewayOptions): Promise<BenchGateway> {
    const files = BenchGateway.configure(options);
    try {
      const key = createKey(files.file, options.permissions ?? ['PrintToDevice'], 'bench');
      const child = new GatewayProcess(files.file, { nodeArgs: options.nodeArgs ?? [], ...(options.entry ? { entry: options.entry } : {}), ...(options.env ? { env: options.env } : {}) });
      await child.start(60_000);
      return new BenchGateway(files, key, child);
    } catch (error) {
      files.remove();
      throw error;
    }
  }

  /** Writes the configuration only (for a caller that spawns serve itself). */
  static configure(options: BenchGatewayOptions): ReturnType<typeof writeConfig> {
    return writeConfig(
      {
        server: { host: '127.0.0.1', port: options.port ?? 0, shutdownGraceSeconds: 2, maxConnectionsPerClient: 10_000 },
        log: { level: 'info' },
        discovery: { interfaces: [], serial: false, usb: false },
        limits: { perKey: { ratePerSecond: 1_000_000, burst: 1_000_000, concurrentUploads: 100_000 }, maxQueuedJobs: 1_000_000 },
        printers: options.printers.map((printer, index) => ({
          name: `Bench ${index}`,
          group: GROUP,
          appId: `p${index}`,
          uri: printer.uri,
          language: printer.language,
          statusQuery: STATUS_QUERY,
        })),
        ...options.config,
        ...benchConfigOverride(),
      },
      'printgate-bench-',
    );
  }

  get url(): string {
    return this.process.url.replace('0.0.0.0', '127.0.0.1');
  }

  get pid(): number {
    const pid = this.process.pid;
    if (pid === null || !this.process.alive) throw new Error(`the serve process is not running:\n${this.process.text().slice(-2000)}`);
    return pid;
  }

  /** The Star print path of printer `index`. */
  printPath(index: number): string {
    return `/v1/a/${GROUP}/d/p${index}/q`;
  }

  /** SIGTERM (serve stops cleanly: a --cpu-prof profile is written), bounded, then the files go. */
  async stop(): Promise<void> {
    try {
      await this.process.kill('SIGTERM', 20_000).catch(() => this.process.kill('SIGKILL'));
    } finally {
      this.files.remove();
    }
  }

  get dir(): string {
    return this.files.dir;
  }
}

/** A free port on 127.0.0.1 (bound and released: good enough for a bench on loopback). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
