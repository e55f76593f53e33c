import { describe, expect, it } from 'vitest';
import { AuthFailureThrottle, TokenBucketLimiter } from '../../../src/keys/rate-limiter.js';

describe('TokenBucketLimiter', () => {
  it('allows the burst, then asks to wait the whole seconds until the next token', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(2, 3, () => now);
    expect([limiter.take('k'), limiter.take('k'), limiter.take('k')]).toEqual([0, 0, 0]);
    expect(limiter.take('k')).toBe(1);
    now += 499;
    expect(limiter.take('k')).toBe(1);
    now += 2;
    expect(limiter.take('k')).toBe(0);
    expect(limiter.take('other')).toBe(0);
  });

  it('gives a Retry-After of several seconds for a slow rate', () => {
    let now = 0;
    const limiter = new TokenBucketLimiter(0.1, 1, () => now);
    expect(limiter.take('k')).toBe(0);
    expect(limiter.take('k')).toBe(10);
    now += 5_000;
    expect(limiter.take('k')).toBe(5);
  });
});

describe('AuthFailureThrottle', () => {
  it('blocks an address after maxFailures within the window, for blockSeconds', () => {
    let now = 0;
    const throttle = new AuthFailureThrottle({ maxFailures: 3, windowSeconds: 10, blockSeconds: 60 }, () => now);
    throttle.recordFailure('a');
    throttle.recordFailure('a');
    expect(throttle.blockedFor('a')).toBe(0);
    throttle.recordFailure('a');
    expect(throttle.blockedFor('a')).toBe(60);
    expect(throttle.blockedFor('b')).toBe(0);
    now += 59_001;
    expect(throttle.blockedFor('a')).toBe(1);
    now += 1_000;
    expect(throttle.blockedFor('a')).toBe(0);
  });

  it('forgets failures older than the window', () => {
    let now = 0;
    const throttle = new AuthFailureThrottle({ maxFailures: 2, windowSeconds: 10, blockSeconds: 60 }, () => now);
    throttle.recordFailure('a');
    now += 10_001;
    throttle.recordFailure('a');
    expect(throttle.blockedFor('a')).toBe(0);
  });

  it('keeps memory bounded when failures come from very many addresses', () => {
    const throttle = new AuthFailureThrottle({ maxFailures: 1000, windowSeconds: 60, blockSeconds: 60 }, () => 0);
    for (let i = 0; i < 30_000; i++) throttle.recordFailure(`2001:db8::${i.toString(16)}`);
    expect((throttle as unknown as { failures: Map<string, unknown> }).failures.size).toBeLessThanOrEqual(10_001);
  });
});
