/** A slot held while a long request runs; release() is safe to call more than once. */
export interface Slot {
  release(): void;
}

export type SlotAnswer = { ok: true; slot: Slot } | { ok: false; scope: 'key' | 'total' };

/**
 * How many long-running requests (event streams, document uploads) each key, and everyone
 * together, may have open at once. In memory, per gateway process, like the token buckets.
 */
export class ConcurrencyLimiter {
  private readonly held = new Map<string, number>();
  private inUse = 0;

  constructor(private readonly limits: { perKey: number; total?: number }) {}

  tryAcquire(keyId: string): SlotAnswer {
    const mine = this.held.get(keyId) ?? 0;
    if (mine >= this.limits.perKey) return { ok: false, scope: 'key' };
    if (this.limits.total !== undefined && this.inUse >= this.limits.total) return { ok: false, scope: 'total' };
    this.held.set(keyId, mine + 1);
    this.inUse += 1;
    let released = false;
    return {
      ok: true,
      slot: {
        release: () => {
          if (released) return;
          released = true;
          this.inUse -= 1;
          const left = (this.held.get(keyId) ?? 1) - 1;
          if (left <= 0) this.held.delete(keyId);
          else this.held.set(keyId, left);
        },
      },
    };
  }

  /** Slots held by one key, or by everyone. */
  count(keyId?: string): number {
    return keyId === undefined ? this.inUse : (this.held.get(keyId) ?? 0);
  }
}
