import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobEvents } from '../jobs/job-events.js';
import type { JobStore } from '../jobs/job-store.js';
import type { PrinterRegistry, PrinterState } from '../printers/printer-registry.js';

export interface GatewayMetricsDeps {
  registry: PrinterRegistry;
  jobs: JobStore;
  events: JobEvents;
}

/** The auth failures a client can meet; each is exported from 0 so rate() works from the first scrape. */
export const AUTH_FAILURE_CODES = [
  'UNAUTHORIZED',
  'TOKEN_INVALID',
  'TOKEN_REVOKED',
  'TOKEN_EXPIRED',
  'TOKEN_DISABLED',
  'INSUFFICIENT_SCOPE',
  'AUTH_THROTTLED',
] as const;

const PRINTER_STATES: readonly PrinterState[] = ['idle', 'processing', 'stopped'];

/** Accepted → delivered, in seconds: a receipt takes well under a second, a job for a printer that was off hours. */
export const JOB_LATENCY_BUCKETS = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200];

/**
 * prom-client's gauges that end in _total, which `promtool check metrics` refuses ("non-counter
 * metrics should not have _total suffix"); the same numbers are exported without the suffix
 * (nodejs_active_handles, …).
 */
const MISNAMED_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/**
 * Prometheus metrics of one gateway, on a registry of its own (no global default registry).
 * Process and Node.js metrics keep their standard names (process_cpu_seconds_total,
 * nodejs_eventloop_lag_seconds, …) that dashboards expect; the gateway's own start with printgate_.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'status'>;
  /** Requests refused by authentication or authorisation, by catalogue code: `metrics.authFailures.inc({ code })`. */
  readonly authFailures: Counter<'code'>;
  private readonly jobTransitions: Counter<'state'>;
  private readonly jobLatency: Histogram<'printer'>;

  constructor(deps: GatewayMetricsDeps) {
    collectDefaultMetrics({ register: this.registry });
    for (const name of MISNAMED_DEFAULTS) this.registry.removeSingleMetric(name);
    this.httpRequests = new Counter({
      name: 'printgate_http_requests_total',
      help: 'HTTP requests answered, by method and status',
      labelNames: ['method', 'status'],
      registers: [this.registry],
    });
    this.authFailures = new Counter({
      name: 'printgate_auth_failures_total',
      help: 'Requests refused by authentication or authorisation, by error code',
      labelNames: ['code'],
      registers: [this.registry],
    });
    for (const code of AUTH_FAILURE_CODES) this.authFailures.inc({ code }, 0);
    this.jobTransitions = new Counter({
      name: 'printgate_job_transitions_total',
      help: 'Jobs entering each state',
      labelNames: ['state'],
      registers: [this.registry],
    });
    this.jobLatency = new Histogram({
      name: 'printgate_job_latency_seconds',
      help: 'Seconds from a job being accepted to the printer having it (completed), per printer',
      labelNames: ['printer'],
      buckets: JOB_LATENCY_BUCKETS,
      registers: [this.registry],
    });
    deps.events.on((job) => {
      this.jobTransitions.inc({ state: job.state });
      if (job.state !== 'completed') return;
      const seconds = (Date.parse(job.completedAt ?? job.updatedAt) - Date.parse(job.createdAt)) / 1000;
      if (Number.isFinite(seconds) && seconds >= 0) this.jobLatency.observe({ printer: job.printerId }, seconds);
    });
    new Gauge({
      name: 'printgate_printers',
      help: 'Printers in each state (idle, processing, stopped)',
      labelNames: ['state'],
      registers: [this.registry],
      collect() {
        const counts = new Map(PRINTER_STATES.map((state) => [state, 0]));
        for (const printer of deps.registry.list()) {
          const state = deps.registry.status(printer.id).state;
          counts.set(state, (counts.get(state) ?? 0) + 1);
        }
        for (const [state, count] of counts) this.set({ state }, count);
      },
    });
    new Gauge({
      name: 'printgate_printer_up',
      help: '1 when the printer is reachable (idle or processing), 0 when stopped',
      labelNames: ['printer'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const printer of deps.registry.list()) this.set({ printer: printer.id }, deps.registry.status(printer.id).state === 'stopped' ? 0 : 1);
      },
    });
    new Gauge({
      name: 'printgate_queue_depth',
      help: 'Jobs pending, processing or held, per printer',
      labelNames: ['printer'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const printer of deps.registry.list()) this.set({ printer: printer.id }, deps.jobs.countQueued(printer.id));
      },
    });
  }
}
