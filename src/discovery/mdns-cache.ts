import type { Answer } from 'dns-packet';

export type CachedType = 'PTR' | 'SRV' | 'TXT' | 'A' | 'AAAA';

export interface SrvData {
  target: string;
  port: number;
}

export interface CachedRecord {
  /** Lower-case owner name. */
  name: string;
  type: CachedType;
  /** PTR: the instance name as sent; SRV: target and port; TXT: the raw strings; A/AAAA: the address. */
  data: string | SrvData | Buffer[];
  ttlMs: number;
  receivedAt: number;
  expiresAt: number;
  /** The sender's address (the referer). */
  from: string;
  /** True once a goodbye (TTL 0) arrived for it: it is gone in a second. */
  goodbye: boolean;
  /** Refresh queries sent for this record so far (at 80 % and 90 % of its TTL). */
  refreshes: number;
}

export interface CacheLimits {
  /** Records held at most (all names). */
  maxRecords: number;
  /** Records of one name and type at most (addresses of a host); a PTR set is bounded by maxRecords only. */
  maxPerSet: number;
  /** TTLs above this are shortened, so a hostile "forever" still ends. */
  maxTtlSeconds: number;
}

export type AddResult = 'added' | 'refreshed' | 'goodbye' | 'full' | 'ignored';

/** RFC 6762 10.2 and 10.1: a flushed or goodbye record stays one second more. */
const GRACE_MS = 1000;

function dataKey(type: CachedType, data: CachedRecord['data']): string {
  if (type === 'SRV') return `${(data as SrvData).target.toLowerCase()}:${(data as SrvData).port}`;
  if (type === 'TXT') return Buffer.concat((data as Buffer[]).flatMap((item) => [Buffer.from([item.length & 0xff]), item])).toString('base64');
  return type === 'PTR' ? (data as string).toLowerCase() : (data as string);
}

function dataOf(answer: Answer): CachedRecord['data'] | null {
  switch (answer.type) {
    case 'PTR':
    case 'A':
    case 'AAAA':
      return typeof answer.data === 'string' ? answer.data : null;
    case 'SRV':
      return answer.data && typeof answer.data.target === 'string' && Number.isInteger(answer.data.port)
        ? { target: answer.data.target, port: answer.data.port }
        : null;
    case 'TXT': {
      const items = Array.isArray(answer.data) ? answer.data : [answer.data];
      return items.map((item) => (Buffer.isBuffer(item) ? item : Buffer.from(String(item))));
    }
    default:
      return null;
  }
}

/**
 * The gateway's own cache of mDNS records, per interface, from the raw answers (RFC 6762 §10):
 * TTLs honoured, goodbyes (TTL 0) and the cache-flush bit applied — so a printer that moves to a
 * new address is followed — and bounded in records per set and in total.
 */
export class MdnsCache {
  private readonly sets = new Map<string, Map<string, CachedRecord>>();
  private count = 0;

  constructor(private readonly limits: CacheLimits) {}

  get size(): number {
    return this.count;
  }

  /** Adds one record from a response received at `now` from `from`. */
  add(answer: Answer, now: number, from: string): AddResult {
    const type = answer.type as CachedType;
    const data = dataOf(answer);
    if (data === null || !['PTR', 'SRV', 'TXT', 'A', 'AAAA'].includes(type)) return 'ignored';
    const name = answer.name.toLowerCase();
    const setKey = `${name}|${type}`;
    const key = dataKey(type, data);
    let set = this.sets.get(setKey);
    const { ttl: rawTtl, flush } = answer as { ttl?: number; flush?: boolean };
    const ttl = Math.min(Math.max(0, Number.isFinite(rawTtl) ? Number(rawTtl) : 0), this.limits.maxTtlSeconds);
    if (ttl === 0) {
      const existing = set?.get(key);
      if (!existing) return 'ignored';
      existing.goodbye = true;
      existing.expiresAt = Math.min(existing.expiresAt, now + GRACE_MS);
      return 'goodbye';
    }
    if (flush && set) {
      for (const [otherKey, record] of set) {
        if (otherKey !== key && record.receivedAt < now - GRACE_MS) record.expiresAt = Math.min(record.expiresAt, now + GRACE_MS);
      }
    }
    const existing = set?.get(key);
    if (existing) {
      Object.assign(existing, { data, ttlMs: ttl * 1000, receivedAt: now, expiresAt: now + ttl * 1000, from, goodbye: false, refreshes: 0 });
      return 'refreshed';
    }
    // A service type's PTR set holds every instance: the browser bounds those; other sets are small.
    const perSet = type === 'PTR' ? this.limits.maxRecords : this.limits.maxPerSet;
    if (this.count >= this.limits.maxRecords || (set?.size ?? 0) >= perSet) return 'full';
    if (!set) {
      set = new Map();
      this.sets.set(setKey, set);
    }
    set.set(key, { name, type, data, ttlMs: ttl * 1000, receivedAt: now, expiresAt: now + ttl * 1000, from, goodbye: false, refreshes: 0 });
    this.count += 1;
    return 'added';
  }

  /** The live records of a name and type, newest first. */
  get(name: string, type: CachedType, now: number): CachedRecord[] {
    const set = this.sets.get(`${name.toLowerCase()}|${type}`);
    if (!set) return [];
    return [...set.values()].filter((record) => record.expiresAt > now).sort((a, b) => b.receivedAt - a.receivedAt);
  }

  /** Removes expired records; returns the lower-case names whose records changed. */
  expire(now: number): Set<string> {
    const changed = new Set<string>();
    for (const [setKey, set] of this.sets) {
      for (const [key, record] of set) {
        if (record.expiresAt > now) continue;
        set.delete(key);
        this.count -= 1;
        changed.add(record.name);
      }
      if (set.size === 0) this.sets.delete(setKey);
    }
    return changed;
  }

  /** Forgets every record of a name (a service dropped by the caller). */
  forget(name: string): void {
    const lower = name.toLowerCase();
    for (const type of ['PTR', 'SRV', 'TXT', 'A', 'AAAA'] as const) {
      const set = this.sets.get(`${lower}|${type}`);
      if (!set) continue;
      this.count -= set.size;
      this.sets.delete(`${lower}|${type}`);
    }
  }

  /** Removes one PTR record (a service instance the caller stopped tracking). */
  forgetPointer(typeName: string, instance: string): void {
    const set = this.sets.get(`${typeName.toLowerCase()}|PTR`);
    if (set?.delete(instance.toLowerCase())) this.count -= 1;
  }
}
