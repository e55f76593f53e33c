import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/driver-api/backoff.js';

describe('backoffDelay: the one back-off (printer workers, webhooks, the cloud client)', () => {
  it('doubles from the initial delay up to the cap, jittered within [half, full]', () => {
    expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoffDelay(50, 500, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelay(50, 500, 30_000, () => 0)).toBe(15_000);
    expect(backoffDelay(0, 100, 1000, () => 1)).toBe(100);
    expect(backoffDelay(3, 100, 1000, () => 1)).toBe(800);
    expect(backoffDelay(10, 100, 1000, () => 1)).toBe(1000);
    expect(backoffDelay(10, 100, 1000, () => 0)).toBe(500);
  });
});
