import path from 'node:path';
import type { Benchmark } from './benchmark.js';
import { deleteNamespace, has, inNamespace, runInNamespace, Segment, stopPid } from './peers/netns.js';

/**
 * The CPU discovery costs per printer, inside network namespaces (mDNS never runs in the host's):
 * N IPP printers (bench/peers/ipp-fleet.ts, one host answering mDNS and Get-Printer-Attributes for
 * each) are found by printgate's discovery (browse + probe) and then probed every second; the
 * peer is bonjour-service's Browser finding the same services (browse only, no probe).
 */
const PRINTERS = Number(process.env.BENCH_DISCOVERY_PRINTERS ?? 50);
const STEADY_SECONDS = 5;
const NAMESPACES = ['pgd-b-fleet', 'pgd-b-gw', 'pgd-b-sw'];
const PEERS = path.resolve(import.meta.dirname, 'peers');

interface CpuReport {
  foundAll: boolean;
  findMs: number;
  findCpuMs: number;
  probes: number;
  steadyCpuMs: number;
  bonjourAll: boolean;
  bonjourCpuMs: number;
}

export const discoveryBench: Benchmark = {
  name: 'discovery',
  description: `CPU per printer to find ${PRINTERS} IPP printers (mDNS + IPP probe) and to probe them, vs bonjour-service browsing`,
  // Not a row of issue 11's targets, and it speaks mDNS (in namespaces): run it by name.
  onlyWhenNamed: true,
  run: async (report, note) => {
    if (process.getuid?.() !== 0 || !has('ip')) {
      note('skipped: needs root and iproute2 (network namespaces)');
      return;
    }
    for (const name of NAMESPACES) await deleteNamespace(name);
    try {
      const lan = Segment.create('pgd-b-sw');
      lan.attach('pgd-b-gw', 'eth0', '10.213.8.2');
      lan.attach('pgd-b-fleet', 'eth0', '10.213.8.10');
      const fleet = inNamespace('pgd-b-fleet', process.execPath, [path.join(PEERS, 'ipp-fleet.js'), '10.213.8.10', String(PRINTERS)]);
      let fleetOutput = '';
      fleet.stdout?.on('data', (chunk: Buffer) => (fleetOutput += chunk.toString()));
      const deadline = Date.now() + 10_000;
      while (!fleetOutput.includes('fleet up') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      const run = runInNamespace('pgd-b-gw', process.execPath, [path.join(PEERS, 'discovery-cpu.js'), 'eth0', String(PRINTERS), String(STEADY_SECONDS)], { timeoutMs: 120_000 });
      await stopPid(fleet.pid);
      const cpu = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as CpuReport;
      if (!cpu.foundAll) note(`printgate found fewer than ${PRINTERS} printers: ${run.stderr.slice(0, 300)}`);
      report({ label: `find ${PRINTERS} IPP printers (browse + first probe)`, value: cpu.findMs, unit: 'ms' });
      report({ label: 'CPU to find one printer (browse + probe)', value: cpu.findCpuMs / PRINTERS, unit: 'ms' });
      report({ label: 'CPU per live-status probe of one printer', value: cpu.steadyCpuMs / Math.max(1, cpu.probes), unit: 'ms' });
      report({ label: '50 printers at probeSeconds 30: share of one core', value: (cpu.steadyCpuMs / Math.max(1, cpu.probes)) * 50 / 30_000 * 100, unit: '%' });
      report({ label: 'peer: bonjour-service Browser, CPU per printer (browse only)', value: cpu.bonjourCpuMs / PRINTERS, unit: 'ms' });
      if (!cpu.bonjourAll) note(`bonjour-service saw fewer than ${PRINTERS} services`);
    } finally {
      for (const name of NAMESPACES) await deleteNamespace(name);
    }
  },
};
