import type { Config } from '../config/schema.js';
import { AppError } from '../errors/app-error.js';
import { TokenBucketLimiter } from '../keys/rate-limiter.js';
import { AddressList, LINK_LOCAL_NETWORKS, LOOPBACK_NETWORKS, PRIVATE_NETWORKS } from '../net/address-list.js';

export type DeleteMethod = 'DELETE' | 'GET';

/** What the CloudPRNT server allows: who may join a group, how fast, and what a printer may tell it. */
export interface CloudPrntPolicy {
  /** Client networks that may register new printers. */
  allowedNetworks: AddressList;
  maxDevicesPerGroup: number;
  newDevicesPerMinute: number;
  minPollSeconds: number;
  maxPollSeconds: number;
  /** How a group's printers confirm jobs (groups[].cloudprntDeleteMethod); DELETE unless set. */
  deleteMethod(groupPath: string): DeleteMethod;
}

export const DEFAULT_CLOUDPRNT_POLICY: CloudPrntPolicy = {
  allowedNetworks: new AddressList([...LOOPBACK_NETWORKS, ...PRIVATE_NETWORKS, ...LINK_LOCAL_NETWORKS]),
  maxDevicesPerGroup: 64,
  newDevicesPerMinute: 10,
  minPollSeconds: 1,
  maxPollSeconds: 120,
  deleteMethod: () => 'DELETE',
};

/** The policy of `cloudprnt:` and `groups[].cloudprntDeleteMethod` in the config. */
export function cloudPrntPolicy(config: Pick<Readonly<Config>, 'cloudprnt' | 'groups'>): CloudPrntPolicy {
  const { autoCreate, minPollSeconds, maxPollSeconds } = config.cloudprnt;
  const methods = new Map(config.groups.flatMap((group) => (group.cloudprntDeleteMethod ? [[group.path, group.cloudprntDeleteMethod] as const] : [])));
  return {
    allowedNetworks: new AddressList(autoCreate.allowedNetworks),
    maxDevicesPerGroup: autoCreate.maxDevicesPerGroup,
    newDevicesPerMinute: autoCreate.newDevicesPerMinute,
    minPollSeconds,
    maxPollSeconds: Math.max(minPollSeconds, maxPollSeconds),
    deleteMethod: (groupPath) => methods.get(groupPath) ?? 'DELETE',
  };
}

/**
 * Admission of printers that are not known yet: the client network, the group's size, and a
 * gateway-wide rate of new printers. Each refusal is a distinct code naming the config key.
 */
export class JoinGate {
  private readonly rate: TokenBucketLimiter | null;

  constructor(
    private readonly policy: CloudPrntPolicy,
    nowMs: () => number,
  ) {
    const perMinute = policy.newDevicesPerMinute;
    this.rate = perMinute > 0 ? new TokenBucketLimiter(perMinute / 60, perMinute, nowMs) : null;
  }

  /** Throws unless `address` may register another printer in a group that has `devices` printers. */
  admit(groupPath: string, address: string, devices: number): void {
    if (!this.policy.allowedNetworks.has(address)) {
      throw new AppError('CLOUDPRNT_NETWORK_REFUSED', undefined, { details: { group: groupPath, configKey: 'cloudprnt.autoCreate.allowedNetworks' } });
    }
    if (devices >= this.policy.maxDevicesPerGroup) {
      throw new AppError('CLOUDPRNT_GROUP_FULL', `device group "${groupPath}" has ${devices} printers, the most cloudprnt.autoCreate.maxDevicesPerGroup allows`, {
        details: { group: groupPath, configKey: 'cloudprnt.autoCreate.maxDevicesPerGroup' },
      });
    }
  }

  /** Takes one of the new-printer tokens; throws 429 with Retry-After when they are spent. */
  takeJoin(groupPath: string): void {
    const wait = this.rate ? this.rate.take('join') : Number.POSITIVE_INFINITY;
    if (wait === 0) return;
    const seconds = Number.isFinite(wait) ? wait : 3600;
    throw new AppError('CLOUDPRNT_JOIN_RATE', undefined, {
      headers: { 'Retry-After': String(seconds) },
      details: { group: groupPath, configKey: 'cloudprnt.autoCreate.newDevicesPerMinute' },
    });
  }

  clampPollSeconds(seconds: number | null): number | null {
    if (seconds === null) return null;
    return Math.min(this.policy.maxPollSeconds, Math.max(this.policy.minPollSeconds, seconds));
  }
}
