// GEMM throughput of the engine kernels: 1024³ and the logits product 512x256x7000, on 1 and 2 threads,
// plain SIMD vs relaxed-SIMD builds. Run: npm run build && node dist/bench/engine/gemm.js
import { pathToFileURL } from 'node:url';
import { Engine } from '../../src/engine/engine.js';
import type { KernelFlavour } from '../../src/engine/kernels/load.js';
import { relaxedSimdAvailable } from '../../src/engine/kernels/load.js';
import { contention, load, measure } from './measure.js';

export interface GemmResult {
  flavour: KernelFlavour;
  threads: number;
  shape: string;
  gflops: number;
  /** GFLOP per CPU-second per thread: what each core delivered, whatever else ran on the machine. */
  gflopsPerCpu: number;
}

const SHAPES: Array<[number, number, number]> = [
  [1024, 1024, 1024],
  [512, 7000, 256],
];

export async function benchGemm(): Promise<GemmResult[]> {
  const results: GemmResult[] = [];
  const flavours: KernelFlavour[] = relaxedSimdAvailable() ? ['simd', 'relaxed'] : ['simd'];
  for (const flavour of flavours) {
    for (const threads of [1, 2]) {
      const engine = new Engine({ simd: flavour, threads, maxMemoryMB: 256 });
      await engine.ready();
      for (const [m, n, k] of SHAPES) {
        const a = engine.heap.alloc(m * k * 4);
        const b = engine.heap.alloc(k * n * 4);
        const c = engine.heap.alloc(m * n * 4);
        engine.heap.f32(a, m * k).fill(0.5);
        engine.heap.f32(b, k * n).fill(0.25);
        const call = {
          transA: false,
          transB: false,
          m,
          n,
          k,
          alpha: 1,
          a,
          lda: k,
          b,
          ldb: n,
          beta: 0,
          c,
          ldc: n,
        };
        const { wallMs, cpuMs } = measure(() => engine.gemm(call), 7);
        const flop = 2 * m * n * k;
        results.push({
          flavour,
          threads,
          shape: `${m}x${k}x${n}`,
          gflops: flop / wallMs / 1e6,
          gflopsPerCpu: flop / cpuMs / 1e6,
        });
      }
      await engine.dispose();
    }
  }
  return results;
}

/** Prints the GEMM table (used by this file's main and by bench/engine/index.ts). */
export async function printGemmBench(): Promise<void> {
  console.log(`engine GEMM (M x K x N), median of 7 runs, ${load()}, ${await contention()}`);
  for (const r of await benchGemm()) {
    console.log(
      `${r.shape.padEnd(14)} ${r.flavour.padEnd(8)} threads=${r.threads}  ${r.gflops.toFixed(1)} GFLOP/s ` +
        `(${r.gflopsPerCpu.toFixed(1)} per CPU-second)`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) await printGemmBench();
