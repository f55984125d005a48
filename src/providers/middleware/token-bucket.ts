import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A per-minute budget (requests or tokens) refilled continuously. The bucket holds at most one second's
 * worth, so a fresh run cannot burst a whole minute's budget at once. A take larger than the bucket waits
 * for a full bucket and leaves it in debt, which later takes repay: the long-run rate stays at the limit.
 */
export class TokenBucket {
  private level: number;
  private updatedAt: number;
  private readonly capacity: number;
  private readonly perMs: number;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly perMinute: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(perMinute > 0)) throw new RangeError(`rate limit must be > 0 per minute, got ${perMinute}`);
    this.perMs = perMinute / 60_000;
    this.capacity = Math.max(1, perMinute / 60);
    this.level = this.capacity;
    this.updatedAt = now();
  }

  /** Resolves once `amount` may be spent; calls are served in order. */
  take(amount: number): Promise<void> {
    const turn = this.queue.then(() => this.waitAndSpend(amount));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Spends without waiting (e.g. tokens a response used beyond its estimate). */
  charge(amount: number): void {
    this.refill();
    this.level -= amount;
  }

  private async waitAndSpend(amount: number): Promise<void> {
    const needed = Math.min(amount, this.capacity);
    this.refill();
    while (this.level < needed) {
      await sleep(Math.ceil((needed - this.level) / this.perMs));
      this.refill();
    }
    this.level -= amount;
  }

  private refill(): void {
    const t = this.now();
    this.level = Math.min(this.capacity, this.level + (t - this.updatedAt) * this.perMs);
    this.updatedAt = t;
  }
}
