/**
 * The cloud's clock as its feeds show it. `issuedAt` never decides whether a feed applies (the
 * sequence does); it feeds staleness, clamped to the gateway's clock so that a feed issued "in the
 * future" counts as issued now, and it measures the skew between the two clocks.
 */

/** The instant a feed counts as issued for staleness: its issuedAt, but never later than now. */
export function clampIssuedAt(issuedAt: string, nowMs: number): string {
  const issued = Date.parse(issuedAt);
  return new Date(Number.isNaN(issued) ? nowMs : Math.min(issued, nowMs)).toISOString();
}

/** Whole seconds the cloud's clock is ahead (positive) or behind (negative) of the gateway's, by one feed. */
export function skewSeconds(issuedAt: string, receivedMs: number): number {
  const issued = Date.parse(issuedAt);
  return Number.isNaN(issued) ? 0 : Math.round((issued - receivedMs) / 1000);
}

export interface ClockSkewChange {
  skewed: boolean;
  seconds: number;
}

/**
 * Tracks the last measured skew and says when it crosses `maxSeconds` either way (so the caller
 * logs once when the cloud's clock goes wrong, and once when it is right again).
 */
export class ClockSkewTracker {
  private seconds: number | null = null;
  private skewed = false;

  constructor(private readonly maxSeconds: number) {}

  /** Records one feed's skew; returns the change of state, or null when it stays as it was. */
  record(seconds: number): ClockSkewChange | null {
    this.seconds = seconds;
    const skewed = Math.abs(seconds) > this.maxSeconds;
    if (skewed === this.skewed) return null;
    this.skewed = skewed;
    return { skewed, seconds };
  }

  get lastSeconds(): number | null {
    return this.seconds;
  }

  get isSkewed(): boolean {
    return this.skewed;
  }
}
