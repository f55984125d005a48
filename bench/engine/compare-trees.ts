// Interleaved A/B of this tree's engine against another built tree (for example an earlier commit unpacked
// with `git archive`), in process CPU time. On a shared, loaded machine wall-clock comparisons drift with
// the load; the CPU time of the same work, measured turn about in fresh child processes, compares the code.
// Every probe runs on one engine thread.
// Run: npm run build && node dist/bench/engine/compare-trees.js <other tree> [rounds], the other tree built
// too: git archive <commit> | tar -x -C /tmp/before && ln -s "$PWD/node_modules" /tmp/before/ &&
// (cd /tmp/before && npx tsc -p tsconfig.json)
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PACKAGE_ROOT, resolveDataDir } from '../../src/config/paths.js';
import { table } from '../report.js';
import { contention, load } from './measure.js';

/** GEMM shapes M x N x K with transposes: the bench's two, the reference step's three, two of kbrd's. */
const GEMMS: Array<[number, number, number, number, number]> = [
  [1024, 1024, 1024, 0, 0],
  [512, 7000, 256, 0, 0],
  [256, 7000, 128, 0, 0],
  [256, 128, 7000, 0, 1],
  [128, 7000, 256, 1, 0],
  [6598, 64, 64, 0, 0],
  [64, 64, 6598, 1, 0],
];

/**
 * One child process: imports the tree's built engine and prints one JSON object of measurements (GEMM
 * GFLOP per CPU-second, reference step CPU ms, top-50 retrieval CPU ms, kbrd step CPU ms). Only APIs both
 * trees have.
 */
const PROBE = `
const [root, dataDir] = process.argv.slice(1);
const cpuMs = (fn) => { const start = process.cpuUsage(); fn(); const used = process.cpuUsage(start); return (used.user + used.system) / 1000; };
const { Engine } = await import(root + '/dist/src/engine/engine.js');
const { configureEngine, engine } = await import(root + '/dist/src/engine/index.js');
const { benchTrainStep } = await import(root + '/dist/bench/engine/train-step.js');
const { topKInnerProduct } = await import(root + '/dist/src/augment/topk.js');
const { Rng } = await import(root + '/dist/src/util/rng.js');
const out = { gemm: {} };
const e = new Engine({ threads: 1, maxMemoryMB: 512 });
for (const [m, n, k, ta, tb] of ${JSON.stringify(GEMMS)}) {
  const a = e.heap.alloc(m * k * 4), b = e.heap.alloc(k * n * 4), c = e.heap.alloc(m * n * 4);
  e.heap.f32(a, m * k).fill(0.5);
  e.heap.f32(b, k * n).fill(0.25);
  const call = { transA: ta === 1, transB: tb === 1, m, n, k, alpha: 1, a, lda: ta ? m : k, b, ldb: tb ? k : n, beta: 0, c, ldc: n };
  const reps = Math.max(2, Math.round(1e9 / (m * n * k)));
  e.gemm(call);
  out.gemm[m + 'x' + k + 'x' + n + (ta ? ' Aᵀ' : '') + (tb ? ' Bᵀ' : '')] = (2 * m * n * k * reps) / cpuMs(() => { for (let i = 0; i < reps; i++) e.gemm(call); }) / 1e6;
  for (const p of [a, b, c]) e.heap.release(p);
}
await e.dispose();
configureEngine({ threads: 1 });
out.lazy = (await benchTrainStep(1, true)).cpuMsPerStep;
out.dense = (await benchTrainStep(1, false)).cpuMsPerStep;
const rng = new Rng(7);
const unit = (rows) => Float32Array.from({ length: rows * 256 }, () => rng.normal());
const q = unit(14737), items = unit(6576);
const topk = () => topKInnerProduct(q, 14737, items, 6576, 256, { k: 50, blockRows: 1024 });
topk();
out.topk = cpuMs(topk);
// The kbrd step of bench/train/kbrd-step.ts: the trainer's first ReDial batch, forward to AdamW.
const { KbrdConfigSchema, learningRate, TrainConfigSchema } = await import(root + '/dist/src/config/train.js');
const { loadDataset } = await import(root + '/dist/src/data/index.js');
const { AdamW, clipGradNorm, tidy } = await import(root + '/dist/src/engine/index.js');
const { buildBackbone } = await import(root + '/dist/src/train/backbones.js');
const { batchLoss } = await import(root + '/dist/src/train/loss.js');
const { realSamples } = await import(root + '/dist/src/train/samples.js');
const { epochRng, logLabelPrior } = await import(root + '/dist/src/train/trainer.js');
const dataset = await loadDataset('redial', { dataDir, splits: ['train'] });
const samples = realSamples(dataset.splits.train.contexts);
const train = TrainConfigSchema.parse({});
const batch = epochRng(42, 0).shuffle(Array.from(samples.keys())).slice(0, train.batchSize).map((i) => samples[i]);
const model = await buildBackbone('kbrd', dataset, KbrdConfigSchema.parse({}), 42);
model.setItemBias(logLabelPrior(samples, dataset.catalog.itemEntity.length));
const optimizer = new AdamW(model.module.namedParameters(), { lr: learningRate(train), weightDecay: train.weightDecay, noDecay: (name) => /bias$/i.test(name) });
const parameters = model.module.parameters();
const step = () => {
  tidy(() => batchLoss(model, batch).backward());
  clipGradNorm(parameters, train.clipNorm);
  optimizer.step(1);
  optimizer.zeroGrad();
};
for (let i = 0; i < 3; i++) step();
out.kbrd = cpuMs(() => { for (let i = 0; i < 20; i++) step(); }) / 20;
await engine().dispose();
console.log(JSON.stringify(out));
`;

interface Probe {
  gemm: Record<string, number>;
  lazy: number;
  dense: number;
  topk: number;
  kbrd: number;
}

function probe(root: string): Probe {
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE, root, DATA_DIR], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (run.status !== 0) throw new Error(`probe of ${root} failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Probe;
}

/** Both trees read the data this tree resolves (an unpacked tree has no ../shared/data beside it). */
const DATA_DIR = resolveDataDir(undefined).dir;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function compareTrees(other: string, rounds: number): Promise<string> {
  const trees = [PACKAGE_ROOT, resolve(other)];
  const busy = await contention();
  const runs: Probe[][] = [[], []];
  for (let r = 0; r < rounds; r++) {
    for (const [t, root] of trees.entries()) runs[t]!.push(probe(root));
  }
  const rows: Array<Array<string | number>> = [];
  const row = (label: string, pick: (p: Probe) => number, digits: number, higherIsBetter: boolean) => {
    const [mine, theirs] = runs.map((r) => median(r.map(pick))) as [number, number];
    const ratio = higherIsBetter ? theirs / mine : mine / theirs;
    rows.push([label, theirs.toFixed(digits), mine.toFixed(digits), ratio.toFixed(2)]);
  };
  for (const shape of Object.keys(runs[0]![0]!.gemm)) {
    row(`GEMM ${shape}, GFLOP per CPU-second`, (p) => p.gemm[shape]!, 1, true);
  }
  row('reference step, lazy AdamW, CPU ms', (p) => p.lazy, 1, false);
  row('reference step, dense AdamW, CPU ms', (p) => p.dense, 1, false);
  row('top-50 of 14737 x 6576 (256 dims), CPU ms', (p) => p.topk, 0, false);
  row('kbrd step on the first ReDial batch, CPU ms', (p) => p.kbrd, 1, false);
  return [
    `this tree: ${trees[0]}; other tree: ${trees[1]}; ${rounds} rounds, each tree in turn, one engine thread; ` +
      `medians. ${busy}; ${load()} at the end.`,
    '',
    table(['measure', 'other tree', 'this tree', 'this ÷ other (time; < 1: this is faster)'], rows),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const other = process.argv[2];
  if (!other) throw new Error('usage: node dist/bench/engine/compare-trees.js <other built tree> [rounds]');
  console.log(await compareTrees(other, Number(process.argv[3] ?? 3)));
}
