import { loadavg } from 'node:os';

export interface Timing {
  /** Median wall-clock milliseconds per call. */
  wallMs: number;
  /** Mean process CPU milliseconds per call (all threads): less sensitive to other load on a shared VM. */
  cpuMs: number;
}

/** Times `runs` calls after `warmup` untimed ones. */
export function measure(fn: () => void, runs: number, warmup = 2): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  const cpuStart = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  const cpu = process.cpuUsage(cpuStart);
  times.sort((a, b) => a - b);
  return { wallMs: times[Math.floor(times.length / 2)]!, cpuMs: (cpu.user + cpu.system) / 1000 / runs };
}

/** The 1-minute load average: this VM is shared and noisy, so every report carries it. */
export function load(): string {
  return `load ${loadavg()[0]!.toFixed(1)}`;
}
