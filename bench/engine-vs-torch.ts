// Issue 3, engine part: GEMM GFLOP/s and the engine-notes reference training step, ours beside PyTorch's.
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../src/config/paths.js';
import { benchGemm } from './engine/gemm.js';
import { contention } from './engine/measure.js';
import { benchTrainStep } from './engine/train-step.js';
import { type PythonStack, runPython } from './machine.js';
import { table } from './report.js';

interface TorchReference {
  /** GFLOP/s by "MxKxN threads=T". */
  gemm: Map<string, number>;
  gemmPerCpu: Map<string, number>;
  /** ms/step and CPU ms/step by "threads=T sparse|dense". */
  step: Map<string, number>;
  stepCpu: Map<string, number>;
  raw: string;
}

/** Runs bench/engine/reference_step.py and reads its printed tables. */
function torchReference(): TorchReference {
  const raw = runPython(join(PACKAGE_ROOT, 'bench', 'engine', 'reference_step.py'), []);
  const gemm = new Map<string, number>();
  const gemmPerCpu = new Map<string, number>();
  const step = new Map<string, number>();
  const stepCpu = new Map<string, number>();
  for (const line of raw.split('\n')) {
    const g = /^(\d+x\d+x\d+)\s+threads=(\d)\s+([\d.]+) GFLOP\/s \(([\d.]+) per CPU/.exec(line);
    if (g) {
      gemm.set(`${g[1]} threads=${g[2]}`, Number(g[3]));
      gemmPerCpu.set(`${g[1]} threads=${g[2]}`, Number(g[4]));
    }
    const s = /^threads=(\d) (SparseAdam|dense AdamW)\S*\s.*?([\d.]+) ms\/step, ([\d.]+) CPU ms/.exec(line);
    if (s) {
      const key = `threads=${s[1]} ${s[2] === 'SparseAdam' ? 'sparse' : 'dense'}`;
      step.set(key, Number(s[3]));
      stepCpu.set(key, Number(s[4]));
    }
  }
  return { gemm, gemmPerCpu, step, stepCpu, raw };
}

const fmt = (x: number | undefined, digits = 1) => (x === undefined ? 'n/a' : x.toFixed(digits));

export async function engineVsTorch(python: PythonStack): Promise<string> {
  const busy = await contention();
  const ours = await benchGemm();
  const steps = [];
  for (const threads of [1, 2])
    for (const sparse of [true, false]) steps.push(await benchTrainStep(threads, sparse));
  const torch = python.unavailable ? undefined : torchReference();
  const gemmRows = ours.map((r) => {
    const theirs = torch?.gemm.get(`${r.shape} threads=${r.threads}`);
    const theirsCpu = torch?.gemmPerCpu.get(`${r.shape} threads=${r.threads}`);
    return [
      r.shape,
      r.threads,
      r.flavour,
      fmt(r.gflops),
      fmt(r.gflopsPerCpu),
      fmt(theirs),
      theirs ? fmt(r.gflops / theirs, 2) : 'n/a',
      theirsCpu ? fmt(r.gflopsPerCpu / theirsCpu, 2) : 'n/a',
    ];
  });
  const stepRows = steps.map((r) => {
    const key = `threads=${r.threads} ${r.sparse ? 'sparse' : 'dense'}`;
    const theirs = torch?.step.get(key);
    const theirsCpu = torch?.stepCpu.get(key);
    const ratio = theirs ? r.msPerStep / theirs : undefined;
    return [
      r.threads,
      r.sparse ? 'lazy AdamW on touched rows (torch: SparseAdam + AdamW)' : 'dense AdamW',
      fmt(r.msPerStep),
      fmt(r.cpuMsPerStep),
      fmt(theirs),
      ratio === undefined
        ? 'n/a'
        : `${fmt(ratio, 2)}${ratio <= 1 ? ' (meets ≤ 1.0)' : ` (misses by ${fmt((ratio - 1) * 100, 0)} %)`}`,
      fmt(theirsCpu),
      theirsCpu ? fmt(r.cpuMsPerStep / theirsCpu, 2) : 'n/a',
      `${r.firstLoss.toFixed(3)} → ${r.lastLoss.toFixed(3)}`,
    ];
  });
  return [
    `Contention probe before the run: ${busy}. Above about 1.2x the machine is shared with other jobs: wall-clock ` +
      'numbers (ours and PyTorch’s alike, 2-thread ones most) then measure the load as much as the code, and the ' +
      'per-CPU columns are the fairer comparison.',
    '',
    '### GEMM, fp32, M x K x N, median of 7 runs (higher is better)',
    '',
    table(
      [
        'shape',
        'threads',
        'our kernels',
        'ours GFLOP/s',
        'ours GFLOP per CPU-s',
        'PyTorch GFLOP/s',
        'ours ÷ PyTorch GFLOP/s (≥ 1: ours faster)',
        'same, per CPU-second',
      ],
      gemmRows,
    ),
    '',
    '### Reference training step (engine-notes §2.3: emb 30,000x128, mean of 64 tokens, batch 256 → 128x7000 → softmax-CE → AdamW), median of 15 steps',
    '',
    table(
      [
        'threads',
        'optimizer',
        'ours ms/step',
        'ours CPU ms/step',
        'PyTorch ms/step',
        'ours / PyTorch (target ≤ 1.0)',
        'PyTorch CPU ms/step',
        'ours / PyTorch CPU ms',
        'our loss',
      ],
      stepRows,
    ),
    '',
    torch
      ? `PyTorch output (\`/usr/bin/python3 bench/engine/reference_step.py\`, same run):\n\n\`\`\`\n${torch.raw.trim()}\n\`\`\``
      : `${python.unavailable}.`,
  ].join('\n');
}
