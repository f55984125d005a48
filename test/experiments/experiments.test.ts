import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { splitOf } from '../../src/eval/index.js';
import { type ExperimentEnv, openExperimentEnv } from '../../src/experiments/context.js';
import { EXPERIMENTS } from '../../src/experiments/registry.js';
import { trainSubset } from '../../src/experiments/train-subset.js';
import { parseReportInput, resultRow } from '../../src/report/index.js';
import { Experiment } from '../../src/report/schema.js';

const root = mkdtempSync(join(tmpdir(), 'crsaug-exp-'));
after(() => rmSync(root, { recursive: true, force: true }));

/**
 * INSPIRED with one seed, one epoch per stage and the student scoring each context's top 10 candidates:
 * the experiments share one artifact store, as `crsaug experiment all` does.
 */
const config: Config = resolveConfig({
  cwd: root,
  env: {},
  flags: {
    dataset: 'inspired',
    cacheDir: join(root, 'cache'),
    train: { epochs: 1 },
    augment: { synthesize: { topK: 10 } },
    run: { seeds: 1, stage1Epochs: 1, examples: 0 },
  },
});
const logs: string[] = [];
let env: ExperimentEnv;
/** What each test's experiment returned, checked against the whole report schema at the end. */
const written: unknown[] = [];
before(async () => {
  env = await openExperimentEnv(config, join(root, 'out'), (line) => logs.push(line));
});

const computed = (lines: string[], stage: string) =>
  lines.filter((l) => l.startsWith(`${stage}: computing`)).length;

test('threshold: labels kept fall as the threshold rises; stages before synthesis run once', async () => {
  const experiment = Experiment.parse(await EXPERIMENTS.threshold.run({ ...env, values: [4, 3.5] }));
  written.push(experiment);
  const rows = experiment.table!.rows;
  assert.deepEqual(
    rows.map((r) => r[0]),
    [3.5, 4],
  );
  const labels = rows.map((r) => r[2] as number);
  assert.ok(labels[0]! > labels[1]! && labels[1]! >= 0, `labels ${labels}`);
  assert.ok((rows[0]![3] as number) >= (rows[1]![3] as number), 'contexts with labels do not grow');
  assert.equal(rows[0]![5], 0, 'offline teacher: no LLM call');
  for (const stage of ['retrieve', 'teacher', 'distill', 'synthesize'])
    assert.equal(computed(logs, stage), 1, stage);
  assert.equal(computed(logs, 'synthetic-threshold'), 1, 'only 4 filters the synthesis made at 3.5');
  assert.equal(computed(logs, 'train-kbrd-baseline'), 1, 'one baseline for every threshold');
  assert.equal(computed(logs, 'train-kbrd-stage1'), 2);
  const chart = experiment.chart!;
  assert.equal(chart.kind, 'line');
  if (chart.kind === 'line') assert.deepEqual(chart.markers, [{ x: 3.5, label: 'paper: 3.5' }]);

  const again: string[] = [];
  await EXPERIMENTS.threshold.run({ ...env, ctx: { ...env.ctx, log: (l) => again.push(l) }, values: [3.5] });
  assert.equal(again.filter((l) => l.includes('computing')).length, 0, again.join('\n'));
  assert.ok(again.some((l) => l.startsWith('retrieve: reusing')));
});

test('alpha: one stage-1 run, one stage 2 per α, recall in [0, 1]', async () => {
  const before = logs.length;
  const experiment = Experiment.parse(await EXPERIMENTS.alpha.run({ ...env, values: [0, 1] }));
  written.push(experiment);
  const rows = experiment.table!.rows;
  assert.deepEqual(
    rows.map((r) => [r[1], r[2]]),
    [
      ['baseline', null],
      ['stage 2', 0],
      ['stage 2', 1],
    ],
  );
  for (const row of rows) {
    const [validR50, testR50] = [row[4], row[7]] as { mean: number; std: number }[];
    assert.ok(validR50!.mean > 0 && validR50!.mean <= 1, `valid R@50 ${validR50!.mean}`);
    assert.ok(testR50!.mean > 0 && testR50!.mean <= 1, `R@50 ${testR50!.mean}`);
  }
  const fresh = logs.slice(before);
  assert.equal(computed(fresh, 'train-kbrd-stage1'), 0, 'stage 1 at the default threshold is reused');
  assert.equal(computed(fresh, 'train-kbrd-stage2-noKL'), 1);
  assert.equal(computed(fresh, 'train-kbrd-stage2-alpha1'), 1);
});

test('data-size: the subset has exactly round(share × contexts) contexts, the same for every model', async () => {
  const train = splitOf(env.ctx.dataset, 'train').contexts;
  const quarter = trainSubset(env.ctx.dataset, 0.25, 42);
  assert.equal(splitOf(quarter, 'train').contexts.length, Math.round(0.25 * train.length));
  assert.deepEqual(
    splitOf(trainSubset(env.ctx.dataset, 0.25, 42), 'train').contexts.map((c) => c.turnId),
    splitOf(quarter, 'train').contexts.map((c) => c.turnId),
  );
  const experiment = Experiment.parse(await EXPERIMENTS['data-size'].run({ ...env, values: [25] }));
  written.push(experiment);
  const [row] = experiment.table!.rows;
  assert.equal(row![0], 0.25);
  assert.equal(row![1], Math.round(0.25 * train.length));
  const subsetKeys = new Set(splitOf(quarter, 'train').contexts.map((c) => `${c.dialogId}#${c.turnId}`));
  const synthetic = readFileSync(
    join(
      root,
      'out',
      'artifacts',
      logs
        .find((l) => l.startsWith('synthetic-subset: computing'))!
        .split(' ')
        .at(-1)!,
      'train.synthetic.jsonl',
    ),
    'utf8',
  )
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { dialog_id: string; turn_id: number; rec: string[] });
  assert.ok(synthetic.length > 0);
  assert.ok(
    synthetic.every((r) => subsetKeys.has(`${r.dialog_id}#${r.turn_id}`)),
    'synthetic labels only on subset contexts',
  );
  const labels = synthetic.reduce((n, r) => n + r.rec.length, 0);
  assert.ok((row![3] as number) > 0 && (row![3] as number) <= labels, 'stage 1 trains on those labels only');
});

test('the experiments fit the report input schema', () => {
  assert.equal(written.length, 3);
  const input = parseReportInput({
    schemaVersion: 1,
    run: {
      name: 'experiments test',
      dataset: 'inspired',
      createdAt: new Date().toISOString(),
      crsaugVersion: 'test',
      wallSeconds: 1,
      config: {},
      providers: [],
    },
    dataset: {
      splits: [{ name: 'test', dialogues: 1, contexts: 1, pairs: 1 }],
      catalog: { items: 1, entities: 1, kgTriples: 0 },
    },
    results: { rows: [resultRow('kbrd', 'baseline', [{ seed: 42, metrics: { 'recall@10': 0.1 } }])] },
    experiments: written,
  });
  assert.deepEqual(
    input.experiments.map((e) => e.id),
    ['threshold', 'alpha', 'data-size'],
  );
});
