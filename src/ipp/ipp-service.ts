import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { JobsService } from '../jobs/jobs-service.js';
import type { Authenticator } from '../keys/authenticator.js';
import { AddressList } from '../net/address-list.js';
import type { DevicesService } from '../printers/devices-service.js';
import type { Printer } from '../printers/printer-registry.js';
import { RawPorts } from '../raw-port/raw-ports.js';
import type { TlsMaterial } from '../tls/tls-certificate.js';
import { ClientAccess } from './client-access.js';
import { IppAnnouncer, type ServiceAdvertiser } from './ipp-announcer.js';
import { IppJobTable, type JobIdStore } from './ipp-job-table.js';
import { IppServer } from './ipp-server.js';

export interface IppServiceDeps {
  config: Readonly<Config>;
  jobs: JobsService;
  devices: DevicesService;
  authenticator: Pick<Authenticator, 'authenticate'>;
  tls: Pick<TlsMaterial, 'cert' | 'key'> | null;
  /** Where the next IPP job-id is kept (gateway_state), so ids never repeat across restarts. */
  jobIds: JobIdStore;
  /** The gateway's HTTP port as bound (the status page). */
  statusPort: () => number;
  /** The mDNS advertiser of the configured interfaces, or null (mDNS off). */
  advertiser: ServiceAdvertiser | null;
  log: Logger;
  now: () => Date;
}

export interface IppService {
  readonly ipp: IppServer;
  readonly raw: RawPorts;
  start(): Promise<void>;
  stop(): Promise<void>;
  setCertificate(material: Pick<TlsMaterial, 'cert' | 'key'>): void;
}

/**
 * The driverless front doors of issue 15: the IPP Everywhere server, its mDNS announcements and
 * the printers' raw ports, all guarded by ipp.allow (and ipp.requireKey for IPP). Built only when
 * ipp.enabled; started after the printer workers, stopped before them.
 */
export function createIppService(deps: IppServiceDeps): IppService {
  const log = deps.log.child({ component: 'ipp' });
  const access = new ClientAccess({ allow: new AddressList(deps.config.ipp.allow), requireKey: deps.config.ipp.requireKey, authenticator: deps.authenticator });
  const instanceName = (printer: Printer): string => `${deps.devices.displayName(printer)} (printgate)`;
  const ipp = new IppServer({
    config: deps.config,
    jobs: deps.jobs,
    devices: deps.devices,
    access,
    table: new IppJobTable(deps.jobIds),
    tls: deps.tls,
    statusPort: deps.statusPort,
    dnsSdName: instanceName,
    log,
    now: deps.now,
  });
  const raw = new RawPorts({ config: deps.config, jobs: deps.jobs, devices: deps.devices, access, log: deps.log.child({ component: 'raw-port' }) });
  const announcer = deps.advertiser && deps.config.ipp.advertise ? new IppAnnouncer({ advertiser: deps.advertiser, server: ipp, instanceName, statusPort: deps.statusPort, tls: deps.tls !== null, requireKey: deps.config.ipp.requireKey, log }) : null;
  return {
    ipp,
    raw,
    async start() {
      try {
        await ipp.start();
        await raw.start();
        await announcer?.start();
      } catch (error) {
        // One line for the cause; nothing half-started stays behind.
        await raw.stop();
        await ipp.stop();
        throw error;
      }
    },
    async stop() {
      await announcer?.stop();
      await raw.stop();
      await ipp.stop();
    },
    setCertificate: (material) => ipp.setCertificate(material),
  };
}
