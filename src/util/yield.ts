/**
 * Lets the event loop run during long synchronous work, at most once per `everyMs` of it: a seed worker hears
 * of the engine threads it is lent (pipeline/seed-pool.ts), kernel threads finish starting, and signals and
 * progress timers fire, without a pause per step.
 */
export class EventLoopYield {
  private last = performance.now();

  constructor(private readonly everyMs = 200) {}

  async maybe(): Promise<void> {
    if (performance.now() - this.last < this.everyMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    this.last = performance.now();
  }
}
