import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { pairsOf } from '../../src/data/index.js';
import { splitOf } from '../../src/eval/index.js';
import {
  augment,
  type ExperimentEnv,
  openExperimentEnv,
  syntheticOf,
  trainBaseline,
  trainStage1,
  trainStage2,
} from '../../src/experiments/context.js';
import { EXPERIMENT_IDS, EXPERIMENTS, type ExperimentId } from '../../src/experiments/registry.js';
import { trainSubset } from '../../src/experiments/train-subset.js';
import { parseReportInput, resultRow } from '../../src/report/index.js';
import { Experiment } from '../../src/report/schema.js';

const root = mkdtempSync(join(tmpdir(), 'crsaug-exp-'));
after(() => rmSync(root, { recursive: true, force: true }));

/**
 * INSPIRED with one seed, one epoch per stage and the student scoring each context's top 10 candidates:
 * the experiments share one artifact store, as `crsaug experiment all` does.
 */
const settings = {
  dataset: 'inspired',
  cacheDir: join(root, 'cache'),
  train: { epochs: 1, seeds: 1 },
  augment: { synthesize: { topK: 10 } },
  run: { stage1Epochs: 1, examples: 0 },
};
const config: Config = resolveConfig({ cwd: root, env: {}, flags: settings });
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

test('alpha: one stage-1 run, one stage 2 per α, valid recall in [0, 1]', async () => {
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
  assert.deepEqual(
    experiment.table!.columns.slice(3).map((c) => c.label),
    ['valid R@10', 'valid R@50'],
  );
  for (const row of rows) {
    const validR50 = row[4] as { mean: number; std: number };
    assert.ok(validR50.mean > 0 && validR50.mean <= 1, `valid R@50 ${validR50.mean}`);
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

/** Sweep points whose models the tests above trained already. */
const TRAINED_VALUES: Partial<Record<ExperimentId, number[]>> = {
  threshold: [3.5],
  alpha: [0],
  'data-size': [25],
};
const labelsOf = (experiment: Experiment) => experiment.table!.columns.map((c) => c.label);
const mentionsTest = (label: string) => /\btest\b/.test(label);

test('every experiment shows valid metrics only; showTest adds the same columns on test after them', async () => {
  for (const id of EXPERIMENT_IDS) {
    const run = async (showTest: boolean) =>
      Experiment.parse(await EXPERIMENTS[id].run({ ...env, values: TRAINED_VALUES[id], showTest }));
    const valid = await run(false);
    const labels = labelsOf(valid);
    assert.ok(!labels.some(mentionsTest), `${id} shows test without showTest: ${labels}`);
    assert.ok(!mentionsTest(valid.chart!.yLabel), `${id} charts ${valid.chart!.yLabel}`);
    const validColumns = labels.filter((l) => /\bvalid\b/.test(l));
    if (id !== 'cost') {
      assert.ok(validColumns.length > 0, `${id}: ${labels}`);
      assert.equal(valid.chart!.yLabel, 'valid R@50', id);
    }

    const shown = await run(true);
    assert.deepEqual(
      labelsOf(shown),
      [...labels, ...validColumns.map((l) => l.replace('valid', 'test'))],
      `${id}: the test columns follow every valid one`,
    );
    assert.deepEqual(
      shown.table!.rows.map((row) => row.slice(0, labels.length)),
      valid.table!.rows,
      `${id}: the valid cells are the same`,
    );
    assert.deepEqual(shown.chart, valid.chart, `${id}: charts stay on valid`);
  }
});

test('valid columns hold the selected epochs’ valid metrics, test columns the test ones', async () => {
  const baseline = await trainBaseline(env.ctx, 'kbrd');
  const [seed] = baseline.value.runs;
  const alpha = Experiment.parse(await EXPERIMENTS.alpha.run({ ...env, values: [0], showTest: true }));
  const one = (value: number | undefined) => ({ mean: value!, std: 0 });
  assert.deepEqual(alpha.table!.rows[0]!.slice(3), [
    one(seed!.valid['recall@10']),
    one(seed!.valid['recall@50']),
    one(seed!.test['recall@10']),
    one(seed!.test['recall@50']),
  ]);

  const modes = Experiment.parse(await EXPERIMENTS.modes.run({ ...env, showTest: true }));
  assert.deepEqual(
    modes.table!.rows.map((r) => r[1]),
    ['baseline', 'stage1', 'stage2', 'stage2-prior', 'stage2-noKL', 'mixed', 'rerank'],
    'the modes of run.modes, in its order',
  );
  const deltas = labelsOf(modes).flatMap((l, i) => (l.startsWith('Δ ') ? [i] : []));
  assert.deepEqual(
    deltas.map((i) => labelsOf(modes)[i]),
    ['Δ valid R@10 [95 % CI]', 'Δ valid R@50 [95 % CI]', 'Δ test R@10 [95 % CI]', 'Δ test R@50 [95 % CI]'],
  );
  assert.match(String(modes.table!.rows[1]![deltas[0]!]), /^[+−]\d+\.\d\d \[[+−]\d+\.\d\d, [+−]\d+\.\d\d\]$/);
  const pColumns = labelsOf(modes).flatMap((l, i) => (l.startsWith('p ') ? [i] : []));
  assert.deepEqual(
    pColumns.map((i) => labelsOf(modes)[i]),
    ['p valid R@10', 'p valid R@50', 'p test R@10', 'p test R@50'],
  );
  for (const [i, row] of modes.table!.rows.entries())
    for (const c of pColumns) {
      const p = row[c] as number | null;
      if (i === 0) assert.equal(p, null, 'no p-value of the baseline against itself');
      else assert.ok(p !== null && p > 0 && p <= 1, `${row[1]} ${labelsOf(modes)[c]}: ${p}`);
    }

  // The buckets' pairs and hits on each split add up to the split's evaluation of the selected model (a gold
  // entity that is no item is in no bucket and never ranked, a miss).
  const stage2 = await trainStage2(
    env.ctx,
    'kbrd',
    await trainStage1(env.ctx, 'kbrd', syntheticOf((await augment(env)).synthesized)),
  );
  const longTail = Experiment.parse(await EXPERIMENTS['long-tail'].run({ ...env, showTest: true }));
  const labels = labelsOf(longTail);
  for (const [mode, trained] of [
    ['baseline', baseline],
    ['stage2', stage2],
  ] as const)
    for (const split of ['valid', 'test'] as const) {
      const rows = longTail.table!.rows.filter((r) => r[1] === mode);
      const column = (name: string) => labels.indexOf(`${split} ${name}`);
      const pairs = rows.map((r) => r[column('pairs')] as number);
      const hits = rows.reduce((n, r, i) => n + pairs[i]! * (r[column('R@50')] as { mean: number }).mean, 0);
      const total = pairs.reduce((a, b) => a + b, 0);
      const splitPairs = pairsOf(splitOf(env.ctx.dataset, split).contexts, env.ctx.dataset.catalog);
      assert.equal(total, splitPairs.filter((p) => p.item >= 0).length, `${mode} ${split} pairs`);
      const recall = hits / splitPairs.length;
      const evaluated = trained.value.runs[0]![split]['recall@50']!;
      assert.ok(
        Math.abs(recall - evaluated) < 1e-9,
        `${mode} ${split}: buckets ${recall}, evaluation ${evaluated}`,
      );
    }
});

test('crsaug experiment prints valid columns; --show-test adds the test ones', () => {
  const configFile = join(root, 'experiments.config.json');
  writeFileSync(configFile, JSON.stringify(settings));
  const cli = fileURLToPath(new URL('../../src/cli/index.js', import.meta.url));
  const experiment = (...flags: string[]) =>
    spawnSync(
      process.execPath,
      [
        cli,
        'experiment',
        'alpha',
        '--values',
        '0',
        '--config',
        configFile,
        '--out',
        join(root, 'out'),
        ...flags,
      ],
      { encoding: 'utf8', cwd: root },
    );
  const header = (stdout: string) =>
    stdout
      .split('\n')
      .find((l) => l.startsWith('| backbone'))
      ?.replace(/ +/g, ' ');

  const valid = experiment();
  assert.equal(valid.status, 0, valid.stderr);
  assert.equal(header(valid.stdout), '| backbone | model | α | valid R@10 % | valid R@50 % |');
  assert.doesNotMatch(valid.stderr, /train-kbrd-[\w-]+: computing/, 'the models trained above are reused');
  const report = JSON.parse(readFileSync(join(root, 'out', 'experiments', 'report.json'), 'utf8'));
  assert.equal(report.results.split, 'valid');

  const shown = experiment('--show-test');
  assert.equal(shown.status, 0, shown.stderr);
  assert.equal(
    header(shown.stdout),
    '| backbone | model | α | valid R@10 % | valid R@50 % | test R@10 % | test R@50 % |',
  );
});
