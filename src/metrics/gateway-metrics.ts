import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobEvents } from '../jobs/job-events.js';
import type { JobStore } from '../jobs/job-store.js';
import type { PrinterRegistry } from '../printers/printer-registry.js';

export interface GatewayMetricsDeps {
  registry: PrinterRegistry;
  jobs: JobStore;
  events: JobEvents;
}

/** Prometheus metrics of one gateway, on a registry of its own (no global default registry). */
export class GatewayMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'status'>;
  private readonly jobTransitions: Counter<'state'>;

  constructor(deps: GatewayMetricsDeps) {
    collectDefaultMetrics({ register: this.registry, prefix: 'printgate_process_' });
    this.httpRequests = new Counter({
      name: 'printgate_http_requests_total',
      help: 'HTTP requests answered, by method and status',
      labelNames: ['method', 'status'],
      registers: [this.registry],
    });
    this.jobTransitions = new Counter({
      name: 'printgate_job_transitions_total',
      help: 'Jobs entering each state',
      labelNames: ['state'],
      registers: [this.registry],
    });
    deps.events.on((job) => this.jobTransitions.inc({ state: job.state }));
    new Gauge({
      name: 'printgate_printer_up',
      help: '1 when the printer is reachable (idle or processing), 0 when stopped',
      labelNames: ['printer'],
      registers: [this.registry],
      collect() {
        for (const printer of deps.registry.list()) this.set({ printer: printer.id }, deps.registry.status(printer.id).state === 'stopped' ? 0 : 1);
      },
    });
    new Gauge({
      name: 'printgate_queue_depth',
      help: 'Jobs pending, processing or held, per printer',
      labelNames: ['printer'],
      registers: [this.registry],
      collect() {
        for (const printer of deps.registry.list()) this.set({ printer: printer.id }, deps.jobs.countQueued(printer.id));
      },
    });
  }
}
