// Issue 3, model part: one kbrd training step on a real ReDial batch, ours vs the same model in PyTorch
// (bench/train/kbrd_step.py), both fed the batch exported here.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT, resolveDataDir } from '../../src/config/paths.js';
import { learningRate, TrainConfigSchema } from '../../src/config/train.js';
import { loadDataset } from '../../src/data/index.js';
import type { Dataset } from '../../src/data/types.js';
import { AdamW, clipGradNorm, configureEngine, tidy } from '../../src/engine/index.js';
import { buildBackbone } from '../../src/models/registry.js';
import { KbrdConfigSchema } from '../../src/models/settings.js';
import { batchLoss } from '../../src/train/loss.js';
import { realSamples, type TrainSample } from '../../src/train/samples.js';
import { epochRng, logLabelPrior } from '../../src/train/trainer.js';
import { measure } from '../engine/measure.js';
import { type PythonStack, runPython } from '../machine.js';
import { table } from '../report.js';

const SEED = 42;
const STEPS = 20;
const WARMUP = 3;

/** The first batch of epoch 1 as the trainer draws it (same shuffle, default batch size). */
function firstBatch(samples: readonly TrainSample[], batchSize: number): TrainSample[] {
  return epochRng(SEED, 0)
    .shuffle(Array.from(samples.keys()))
    .slice(0, batchSize)
    .map((i) => samples[i]!);
}

/** Everything kbrd_step.py needs to build the same model and batch. */
function exportBatch(
  dataset: Dataset,
  batch: readonly TrainSample[],
  samples: readonly TrainSample[],
  maxEntities: number,
  file: string,
): void {
  const train = TrainConfigSchema.parse({});
  const { catalog, kg } = dataset;
  writeFileSync(
    file,
    JSON.stringify({
      config: {
        ...KbrdConfigSchema.parse({}),
        lr: learningRate(train),
        weightDecay: train.weightDecay,
        clipNorm: train.clipNorm,
      },
      entityCount: catalog.entityNames.length,
      itemEntity: [...catalog.itemEntity],
      itemBias: [...logLabelPrior(samples, catalog.itemEntity.length)],
      relations: kg.relations.length,
      heads: [...kg.heads],
      tails: [...kg.tails],
      relationIds: [...kg.relationIds],
      contextEntities: batch.map((s) => s.context.entities.slice(-maxEntities)),
      labels: batch.map((s) => s.labels[0]!),
      steps: STEPS,
      warmup: WARMUP,
    }),
  );
}

interface OurStep {
  threads: number;
  ms: number;
  cpuMs: number;
  firstLoss: number;
  lastLoss: number;
}

async function ourStep(
  dataset: Dataset,
  batch: readonly TrainSample[],
  samples: readonly TrainSample[],
  threads: number,
): Promise<OurStep> {
  configureEngine({ threads });
  const train = TrainConfigSchema.parse({});
  const model = await buildBackbone('kbrd', dataset, KbrdConfigSchema.parse({}), SEED);
  model.setItemBias(logLabelPrior(samples, dataset.catalog.itemEntity.length));
  const optimizer = new AdamW(model.module.namedParameters(), {
    lr: learningRate(train),
    weightDecay: train.weightDecay,
    noDecay: (name) => /bias$/i.test(name),
  });
  const parameters = model.module.parameters();
  const losses: number[] = [];
  // The trainer's inner loop (src/train/trainer.ts) at a constant learning rate.
  const step = () => {
    losses.push(
      tidy(() => {
        const loss = batchLoss(model, batch);
        loss.backward();
        return loss.item();
      }),
    );
    clipGradNorm(parameters, train.clipNorm);
    optimizer.step(1);
    optimizer.zeroGrad();
  };
  try {
    const { wallMs, cpuMs } = measure(step, STEPS, WARMUP);
    return { threads, ms: wallMs, cpuMs, firstLoss: losses[0]!, lastLoss: losses[losses.length - 1]! };
  } finally {
    optimizer.free();
    model.module.free();
  }
}

interface TorchStep {
  threads: number;
  /** How PyTorch computed the R-GCN messages: 'dense' or 'per-relation' (bench/train/kbrd_step.py). */
  messages: string;
  ms: number;
  cpu_ms: number;
  first_loss: number;
  last_loss: number;
}

export async function kbrdStep(python: PythonStack): Promise<string> {
  const dataset = await loadDataset('redial', { dataDir: resolveDataDir(undefined).dir, splits: ['train'] });
  const samples = realSamples(dataset.splits.train!.contexts);
  const { batchSize } = TrainConfigSchema.parse({});
  const { maxEntities, dim, bases, attentionDim } = KbrdConfigSchema.parse({});
  const batch = firstBatch(samples, batchSize);
  const ours: OurStep[] = [];
  for (const threads of [1, 2]) ours.push(await ourStep(dataset, batch, samples, threads));
  configureEngine({ threads: 0 });
  const torch: TorchStep[] = [];
  let torchNote = '';
  if (python.unavailable) torchNote = `${python.unavailable}.`;
  else {
    const dir = mkdtempSync(join(tmpdir(), 'crsaug-bench-kbrd-'));
    try {
      const file = join(dir, 'batch.json');
      exportBatch(dataset, batch, samples, maxEntities, file);
      // torch.set_num_threads(1) leaves OpenBLAS on every core: the 1-thread rows get one core, as ours do.
      for (const [threads, env] of [
        ['1', { OPENBLAS_NUM_THREADS: '1' }],
        ['2', {}],
      ] as const) {
        const out = runPython(
          join(PACKAGE_ROOT, 'bench', 'train', 'kbrd_step.py'),
          [file, threads],
          undefined,
          env,
        );
        torch.push(...(JSON.parse(out.trim().split('\n').pop()!) as TorchStep[]));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const entityCounts = batch.map((s) => s.context.entities.slice(-maxEntities).length);
  // PyTorch is timed with both message formulations; its faster one is the reference.
  const fastestTorch = (threads: number) =>
    torch.filter((x) => x.threads === threads).sort((a, b) => a.ms - b.ms)[0];
  const rows = ours.map((o) => {
    const t = fastestTorch(o.threads);
    const ratio = t ? o.ms / t.ms : undefined;
    return [
      o.threads,
      o.ms.toFixed(1),
      o.cpuMs.toFixed(1),
      t ? t.ms.toFixed(1) : 'n/a',
      t ? t.cpu_ms.toFixed(1) : 'n/a',
      ratio === undefined
        ? 'n/a'
        : `${ratio.toFixed(2)}${ratio <= 1 ? ' (meets ≤ 1.0)' : ` (misses by ${((ratio - 1) * 100).toFixed(0)} %)`}`,
      t ? (o.cpuMs / t.cpu_ms).toFixed(2) : 'n/a',
      `${o.firstLoss.toFixed(3)} → ${o.lastLoss.toFixed(3)}`,
      t ? `${t.first_loss.toFixed(3)} → ${t.last_loss.toFixed(3)}` : 'n/a',
      t?.messages ?? 'n/a',
    ];
  });
  const torchRuns = torch.map(
    (t) =>
      `threads=${t.threads} ${t.messages.padEnd(12)} ${t.ms.toFixed(1)} ms/step, ${t.cpu_ms.toFixed(1)} CPU ms/step`,
  );
  return [
    `Model: kbrd defaults (dim ${dim}, ${bases} bases, attention ${attentionDim}, last ${maxEntities} entities), ` +
      `R-GCN over the ReDial KG (${dataset.catalog.entityNames.length} entities, ${dataset.kg.heads.length} edges, ` +
      `${dataset.kg.relations.length} relations × 2 directions + self-loop), ${dataset.catalog.itemEntity.length} items. ` +
      `Batch: the trainer's first batch of epoch 1 (seed ${SEED}): ${batch.length} samples, ` +
      `${entityCounts.reduce((a, b) => a + b, 0)} context entities (${entityCounts.filter((n) => n === 0).length} contexts with none). ` +
      `One step = forward, CE, backward, clip-norm 1.0, AdamW (lr 1e-3, wd 0.01, no decay on biases); ` +
      `median of ${STEPS} steps after ${WARMUP} warm-up, same batch each step. Both sides encode only the rows a ` +
      'batch needs (every item + the batch’s context entities), and each relation’s [d, d] product runs over only ' +
      'the rows with in-edges of that relation or over its distinct sources, whichever are fewer, as ' +
      'src/models/rgcn.ts does (PyTorch runs both that and the dense formulation; its faster one is compared). ' +
      'PyTorch’s 1-thread rows run with OPENBLAS_NUM_THREADS=1 (torch.set_num_threads(1) leaves OpenBLAS on every ' +
      'core; before 2026-12-03 the 1-thread rows gave PyTorch two cores).',
    '',
    table(
      [
        'threads',
        'ours ms/step',
        'ours CPU ms/step',
        'PyTorch ms/step',
        'PyTorch CPU ms/step',
        'ours / PyTorch (target ≤ 1.0)',
        'ours / PyTorch CPU ms',
        'our loss',
        'PyTorch loss',
        'PyTorch messages (its faster)',
      ],
      rows,
    ),
    ...(torchRuns.length > 0
      ? [
          '',
          'PyTorch with each R-GCN message formulation (dense: [rows, R·d] inputs times the stacked W_r; ' +
            'per-relation: as ours), same run:',
          '',
          '```',
          ...torchRuns,
          '```',
        ]
      : []),
    ...(torchNote ? ['', torchNote] : []),
  ].join('\n');
}
