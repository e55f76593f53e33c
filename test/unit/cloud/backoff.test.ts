import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../src/cloud/backoff.js';

describe('backoffDelay', () => {
  it('doubles from the initial delay up to the cap, jittered within [half, full]', () => {
    expect(backoffDelay(0, 500, 30_000, () => 1)).toBe(500);
    expect(backoffDelay(0, 500, 30_000, () => 0)).toBe(250);
    expect(backoffDelay(3, 500, 30_000, () => 1)).toBe(4000);
    expect(backoffDelay(50, 500, 30_000, () => 1)).toBe(30_000);
    expect(backoffDelay(50, 500, 30_000, () => 0)).toBe(15_000);
  });
});
