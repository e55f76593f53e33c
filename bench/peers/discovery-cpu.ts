import os from 'node:os';
import { Bonjour } from 'bonjour-service';
import { PROFILES } from '../../drivers/profiles/find-profile.js';
import { parseConfig } from '../../src/config/load-config.js';
import { createDiscovery } from '../../src/discovery/create-discovery.js';
import { refuseOutsideNetns } from './netns-guard.js';

/**
 * The gateway side of the discovery benchmark (inside a pgd-* namespace):
 *   node dist/bench/peers/discovery-cpu.js IFNAME N STEADY_SECONDS
 * Finds N IPP printers with printgate's discovery (mDNS browse + IPP probe), then keeps probing
 * them every second for STEADY_SECONDS; then bonjour-service's Browser, the peer, finds the same
 * N services (browse only). Prints one JSON line of CPU and wall times.
 */
refuseOutsideNetns('discovery-cpu');
const [ifname, countArg, steadyArg] = process.argv.slice(2) as [string, string, string];
const count = Number(countArg);
const steadySeconds = Number(steadyArg);
const silent = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
};
const until = async (check: () => boolean, ms: number): Promise<boolean> => {
  const deadline = Date.now() + ms;
  while (!check() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  return check();
};

const config = parseConfig({ discovery: { interfaces: [ifname], serial: false, usb: false, probeSeconds: 1 } });
const discovery = createDiscovery({ config, log: silent, parts: { transports: [], profiles: PROFILES } });
const startCpu = process.cpuUsage();
const started = Date.now();
await discovery.start();
const foundAll = await until(() => discovery.devices().filter((device) => device.source === 'ipp').length >= count, 30_000);
const findMs = Date.now() - started;
const findCpuMs = cpuMs(startCpu);

const steadyCpu = process.cpuUsage();
const steadyStarted = Date.now();
const devices = discovery.devices().length;
await new Promise((resolve) => setTimeout(resolve, steadySeconds * 1000));
// Each printer is asked once a second (probeSeconds: 1).
const probes = Math.round(((Date.now() - steadyStarted) / 1000) * count);
const steadyCpuMs = cpuMs(steadyCpu);
await discovery.stop();

const bonjourCpu = process.cpuUsage();
const bonjourStarted = Date.now();
// bonjour-service passes these options to multicast-dns (its types do not say so).
const address = os.networkInterfaces()[ifname]?.find((info) => info.family === 'IPv4')?.address;
const bonjour = new Bonjour({ interface: address, bind: '0.0.0.0' } as never);
const browser = bonjour.find({ type: 'ipp' });
const bonjourAll = await until(() => browser.services.length >= count, 30_000);
const bonjourMs = Date.now() - bonjourStarted;
const bonjourCpuMs = cpuMs(bonjourCpu);
browser.stop();
bonjour.destroy();

process.stdout.write(
  `${JSON.stringify({ count, foundAll, devices, findMs, findCpuMs, steadySeconds, probes, steadyCpuMs, bonjourAll, bonjourMs, bonjourCpuMs })}\n`,
);
process.exit(0);
