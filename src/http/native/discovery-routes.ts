import type { Logger } from 'pino';
import type { DeviceInfo } from '../../discovery/device-info.js';
import type { DevicesService } from '../../printers/devices-service.js';
import { callerKey, needs, type RouteSpec } from '../route-spec.js';

export interface DiscoveryRoutesDeps {
  /** What discovery sees now (every device, the ones the gateway cannot drive too). */
  discovered: () => DeviceInfo[];
  devices: DevicesService;
  log: Logger;
}

/** What discovery found, and forgetting a discovered printer. */
export function discoveryRoutes({ discovered, devices, log }: DiscoveryRoutesDeps): RouteSpec[] {
  return [
    {
      method: 'get',
      path: '/api/v1/discovered',
      access: needs('EnumDevices'),
      summary: 'Devices discovery sees now (mDNS, IPP, USB, serial), with what identified them and the printer each became, if any',
      handler: (_req, res) => {
        const viewer = callerKey(res);
        const printers = devices.list(viewer);
        const unrestricted = viewer.groups.length === 0;
        const data = discovered()
          .map((device) => ({ ...device, printerId: printers.find((printer) => printer.identity === device.identity)?.id ?? null }))
          // A group-limited key sees the devices that became printers of its groups, not the LAN at large.
          .filter((device) => unrestricted || device.printerId !== null);
        res.json({ data });
      },
    },
    {
      method: 'post',
      path: '/api/v1/printers/:id/forget',
      access: needs('DeleteDevice'),
      summary: 'Forget a discovered printer: its queue is emptied and discovery ignores the device from now on',
      handler: async (req, res) => {
        const printer = devices.get(String(req.params.id), callerKey(res));
        await devices.forget(printer.id);
        log.info({ printerId: printer.id, keyId: callerKey(res).id }, 'printer forgotten by API');
        res.status(200).json({ id: printer.id, identity: printer.identity, forgotten: true });
      },
    },
  ];
}
