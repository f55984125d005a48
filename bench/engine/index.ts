// Engine benchmarks for `npm run bench`: GEMM throughput, then the reference training step.
// Each also runs on its own: node dist/bench/engine/gemm.js, node dist/bench/engine/train-step.js.
import { printGemmBench } from './gemm.js';
import { printTrainStepBench } from './train-step.js';

/** Runs all engine benchmarks, printing their tables. */
export async function runEngineBenchmarks(): Promise<void> {
  await printGemmBench();
  await printTrainStepBench();
}
