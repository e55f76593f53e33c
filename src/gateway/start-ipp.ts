import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { MdnsAdvertiser } from '../discovery/mdns-advertiser.js';
import { createIppService, type IppServiceDeps } from '../ipp/ipp-service.js';
import type { JobStore } from '../jobs/job-store.js';
import type { Lifecycle } from './lifecycle.js';

export interface StartIppDeps extends Pick<IppServiceDeps, 'jobs' | 'devices' | 'authenticator' | 'tls' | 'now'> {
  config: Readonly<Config>;
  log: Logger;
  /** Where the next IPP job-id is kept (gateway_state). */
  jobStore: Pick<JobStore, 'stateValue' | 'setStateValue'>;
  /** The gateway's HTTP URL as bound (the status page the printers' adminurl points to). */
  httpUrl: string;
}

/**
 * The IPP Everywhere server and raw ports (issue 15), when ipp.enabled: started after the printer
 * workers and stopped before them; every document goes through jobs.submit. It announces itself
 * on discovery.interfaces with an advertiser of its own (ipp.advertise; none while mDNS is off).
 */
export async function startIpp(deps: StartIppDeps, lifecycle: Lifecycle): Promise<void> {
  const { config, log, jobStore } = deps;
  if (!config.ipp.enabled) return;
  const advertiser = config.ipp.advertise && config.discovery.interfaces.length > 0 ? new MdnsAdvertiser({ interfaces: config.discovery.interfaces, log: log.child({ component: 'mdns' }) }) : null;
  const ippService = createIppService({
    config, jobs: deps.jobs, devices: deps.devices, authenticator: deps.authenticator, tls: deps.tls, log, now: deps.now, advertiser,
    statusPort: () => Number(new URL(deps.httpUrl).port),
    jobIds: { load: () => Number(jobStore.stateValue('ipp.nextJobId')) || null, save: (next) => jobStore.setStateValue('ipp.nextJobId', String(next)) },
  });
  await lifecycle.start('ipp server', async () => {
    await advertiser?.start();
    await ippService.start().catch(async (error: unknown) => {
      await advertiser?.stop();
      throw error;
    });
  }, async () => {
    await ippService.stop();
    await advertiser?.stop();
  });
}
