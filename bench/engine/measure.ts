import { loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';

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

const BUSY_LOOP = `let x = 0; for (let i = 0; i < 2e8; i++) x += i % 7; x`;

function busyMs(): number {
  const start = performance.now();
  new Function(BUSY_LOOP)();
  return performance.now() - start;
}

/**
 * How much a second busy thread slows the first: ≈1.0 when two cores are really free, ≈2 or more when
 * other jobs share the machine (then two-thread speed-ups cannot show).
 */
export async function contention(): Promise<string> {
  const alone = busyMs();
  const worker = new Worker(
    `const start = performance.now(); new Function(${JSON.stringify(BUSY_LOOP)})();
    require('node:worker_threads').parentPort.postMessage(performance.now() - start);`,
    { eval: true },
  );
  const theirs = new Promise<number>((resolve) => worker.once('message', resolve));
  const mine = busyMs();
  await theirs;
  await worker.terminate();
  return `two-thread slowdown ${(mine / alone).toFixed(2)}x (busy loop ${alone.toFixed(0)} ms alone, ${mine.toFixed(0)} ms beside a worker)`;
}
