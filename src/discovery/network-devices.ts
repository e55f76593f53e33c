import { networkIdentity, type DeviceIdentity } from './device-identity.js';
import type { DeviceFacts } from './describe-device.js';
import type { LostReason } from './device-info.js';
import type { IppProber, ProbeResult } from './ipp-prober.js';
import type { MdnsService } from './mdns-service.js';
import { byPreference, networkDeviceFacts, serviceUri } from './network-device.js';
import { txtValue } from './txt-record.js';

interface Sighting {
  service: MdnsService;
  /** Bumped on every report of the service: what a device's signature is made of. */
  version: number;
  /** Fixed once given: a service keeps its identity while it lives. */
  identity: DeviceIdentity | null;
  /** Its last probe result, kept while a new address is being probed (no flapping to "mdns only"). */
  lastResult?: ProbeResult | undefined;
}

const idOf = (service: MdnsService): string => `${service.interface}|${service.key}`;

/** A number per probe result object (each probe makes a new one). */
const resultIds = new WeakMap<ProbeResult, number>();
let nextResultId = 0;
function resultId(result: ProbeResult): number {
  let id = resultIds.get(result);
  if (id === undefined) {
    id = (nextResultId += 1);
    resultIds.set(result, id);
  }
  return id;
}

/** One device's services, with a signature of what they said and a builder of its facts. */
export interface NetworkGroup {
  identity: string;
  signature: string;
  facts(): DeviceFacts | null;
}
/** Services of one printer: the same instance name on the same interface, pointing at the same host. */
const siblingKey = (service: MdnsService): string => `${service.interface}|${service.instance.toLowerCase()}|${service.host.toLowerCase()}`;
const isIpp = (service: MdnsService): boolean => service.type === '_ipp._tcp' || service.type === '_ipps._tcp';

/**
 * The DNS-SD services seen, grouped into devices by identity. A service with a TXT UUID has its
 * identity at once; an IPP service without one waits for its probe (bounded by the probe's
 * deadline) for printer-uuid; the other services of the same printer (same instance name and host
 * on the interface) share what their siblings have; else the instance name is the (weak) identity.
 */
export class NetworkDevices {
  private readonly sightings = new Map<string, Sighting>();
  private readonly lost = new Map<string, LostReason>();

  constructor(private readonly deps: { prober: IppProber }) {}

  put(service: MdnsService): void {
    const known = this.sightings.get(idOf(service));
    this.sightings.set(idOf(service), { service, version: (known?.version ?? 0) + 1, identity: known?.identity ?? null, lastResult: known?.lastResult });
  }

  remove(service: MdnsService, reason: 'goodbye' | 'expired'): void {
    const sighting = this.sightings.get(idOf(service));
    this.sightings.delete(idOf(service));
    if (sighting?.identity) {
      this.lost.set(sighting.identity.key, reason);
      if (this.lost.size > 1024) this.lost.delete(this.lost.keys().next().value as string);
    }
  }

  lostReason(identity: string): LostReason {
    return this.lost.get(identity) ?? 'expired';
  }

  /**
   * Every device that can be reported now, with a signature that changes whenever its services or
   * its probe result do: the caller rebuilds only the devices whose signature changed.
   */
  groups(): NetworkGroup[] {
    const probeUris = this.probeTargets();
    for (const uri of probeUris.values()) this.deps.prober.want(uri);
    this.deps.prober.retain(new Set(probeUris.values()));
    this.assignIdentities(probeUris);
    const groups = new Map<string, { identity: DeviceIdentity; sightings: Sighting[] }>();
    for (const sighting of this.sightings.values()) {
      if (!sighting.identity) continue;
      const group = groups.get(sighting.identity.key) ?? { identity: sighting.identity, sightings: [] };
      group.sightings.push(sighting);
      groups.set(sighting.identity.key, group);
    }
    return [...groups.values()].map(({ identity, sightings }) => {
      const services = sightings.map((sighting) => sighting.service);
      const probed = byPreference(services).find((service) => probeUris.has(idOf(service)));
      const sighting = probed ? this.sightings.get(idOf(probed)) : undefined;
      const result = (probed ? this.deps.prober.result(probeUris.get(idOf(probed)) as string) : undefined) ?? sighting?.lastResult;
      if (sighting && result) sighting.lastResult = result;
      const signature = `${sightings.map((entry) => `${idOf(entry.service)}@${entry.version}`).join(' ')}|${result ? resultId(result) : '-'}`;
      return { identity: identity.key, signature, facts: () => networkDeviceFacts(identity, services, result?.facts ?? null, result?.error ?? null) };
    });
  }

  /** Service id → the URI its probe asks: _ipp._tcp services, and _ipps._tcp ones without an _ipp._tcp sibling. */
  private probeTargets(): Map<string, string> {
    const plain = new Set([...this.sightings.values()].filter(({ service }) => service.type === '_ipp._tcp').map(({ service }) => siblingKey(service)));
    const targets = new Map<string, string>();
    for (const { service } of this.sightings.values()) {
      if (!isIpp(service) || (service.type === '_ipps._tcp' && plain.has(siblingKey(service)))) continue;
      const uri = serviceUri(service);
      if (uri) targets.set(idOf(service), uri.replace(/\?insecure=1$/, ''));
    }
    return targets;
  }

  private assignIdentities(probeUris: Map<string, string>): void {
    const strongBySibling = new Map<string, DeviceIdentity>();
    const waitingSiblings = new Set<string>();
    // Pass 1: UUIDs from TXT or from a finished probe; probes still running hold their siblings back.
    for (const [id, sighting] of this.sightings) {
      const { service } = sighting;
      if (!sighting.identity) {
        const uri = probeUris.get(id);
        const ippUuid = uri ? this.deps.prober.result(uri)?.facts?.uuid : undefined;
        const candidate = networkIdentity({ txtUuid: txtValue(service.txt, 'uuid'), ippUuid, instance: service.instance });
        if (candidate.quality === 'uuid') sighting.identity = candidate;
        else if (uri && this.deps.prober.pending(uri)) waitingSiblings.add(siblingKey(service));
      }
      if (sighting.identity?.quality === 'uuid') strongBySibling.set(siblingKey(service), sighting.identity);
    }
    // Pass 2: the rest take a sibling's UUID, else their instance name — unless a sibling's probe is still running.
    for (const sighting of this.sightings.values()) {
      if (sighting.identity) continue;
      const sibling = siblingKey(sighting.service);
      const strong = strongBySibling.get(sibling);
      if (strong) sighting.identity = strong;
      else if (!waitingSiblings.has(sibling)) sighting.identity = networkIdentity({ instance: sighting.service.instance });
    }
  }
}
