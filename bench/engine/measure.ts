import { loadavg } from 'node:os';

/** Median wall-clock milliseconds of `runs` calls after `warmup` untimed ones. */
export function medianMs(fn: () => void, runs: number, warmup = 2): number {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** The 1-minute load average: this VM is shared and noisy, so every result line carries it. */
export function load(): string {
  return `load ${loadavg()[0]!.toFixed(1)}`;
}
