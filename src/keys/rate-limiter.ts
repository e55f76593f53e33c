/**
 * Per-key token bucket: `ratePerSecond` tokens flow in, at most `burst` wait. A request takes one.
 * In memory: limits are per gateway process, which is what protects the box.
 */
export class TokenBucketLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Takes a token; returns 0 when allowed, else the whole seconds to wait. */
  take(id: string): number {
    const now = this.nowMs();
    const bucket = this.buckets.get(id) ?? { tokens: this.burst, at: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond);
    bucket.at = now;
    this.buckets.set(id, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    if (this.buckets.size > 10_000) this.prune(now);
    return Math.max(1, Math.ceil((1 - bucket.tokens) / this.ratePerSecond));
  }

  private prune(now: number): void {
    for (const [id, bucket] of this.buckets) {
      if (bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSecond >= this.burst) this.buckets.delete(id);
    }
  }
}

const MAX_TRACKED_ADDRESSES = 10_000;

/**
 * Failed authentications per client address: after `maxFailures` within `windowSeconds`, the
 * address is refused for `blockSeconds`, even with a good key (key guessing stops paying).
 */
export class AuthFailureThrottle {
  private readonly failures = new Map<string, { count: number; windowStart: number; blockedUntil: number }>();

  constructor(
    private readonly options: { maxFailures: number; windowSeconds: number; blockSeconds: number },
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Seconds the address must still wait, or 0. */
  blockedFor(address: string): number {
    const entry = this.failures.get(address);
    if (!entry) return 0;
    const left = entry.blockedUntil - this.nowMs();
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  recordFailure(address: string): void {
    const now = this.nowMs();
    let entry = this.failures.get(address);
    if (!entry || now - entry.windowStart > this.options.windowSeconds * 1000) {
      entry = { count: 0, windowStart: now, blockedUntil: entry?.blockedUntil ?? 0 };
      this.failures.set(address, entry);
    }
    entry.count += 1;
    if (entry.count >= this.options.maxFailures) {
      entry.blockedUntil = now + this.options.blockSeconds * 1000;
      entry.count = 0;
      entry.windowStart = now;
    }
    if (this.failures.size > MAX_TRACKED_ADDRESSES) this.prune(now);
  }

  private prune(now: number): void {
    for (const [address, entry] of this.failures) {
      if (entry.blockedUntil < now && now - entry.windowStart > this.options.windowSeconds * 1000) this.failures.delete(address);
    }
    // Many addresses at once (IPv6 makes them cheap): memory stays bounded, the oldest go first,
    // down to 90% so that the next pass is a thousand failures away.
    for (const address of this.failures.keys()) {
      if (this.failures.size <= MAX_TRACKED_ADDRESSES * 0.9) break;
      this.failures.delete(address);
    }
  }
}
