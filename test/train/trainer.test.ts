import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { readSafetensors } from '../../src/engine/index.js';
import { runTraining } from '../../src/train/run.js';
import { realSamples } from '../../src/train/samples.js';
import { logLabelPrior } from '../../src/train/trainer.js';
import { loadInspired, tempDir, tinyConfig, withTrainSubset } from './helpers.js';

test('real samples: one per gold item of each train context', async () => {
  const dataset = await loadInspired();
  const contexts = dataset.splits.train!.contexts;
  const samples = realSamples(contexts);
  assert.equal(
    samples.length,
    contexts.reduce((n, c) => n + c.gold.length, 0),
  );
  assert.ok(samples.every((s) => s.labels.length === 1 && s.weights[0] === 1));
});

test('baseline run: loss falls, valid/test metrics come from the reference protocol, outputs are written', async () => {
  const dataset = withTrainSubset(await loadInspired(), 200);
  const out = tempDir('baseline');
  const { runs, summary } = await runTraining(tinyConfig({ epochs: 3 }), dataset, {
    outDir: out,
    silent: true,
  });
  assert.equal(runs.length, 1);
  const [run] = runs;
  assert.ok(run!.history[2]!.loss < run!.history[0]!.loss, 'training loss decreases');
  // INSPIRED test has 161 evaluated pairs after repeated-item removal (paper-notes §4.5).
  assert.equal(run!.test.pairs, 161);
  assert.equal(run!.valid.pairs, 164);
  assert.equal(summary!['recall@50']!.mean, run!.test['recall@50']);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.equal(metrics['recall@10'], run!.test['recall@10']);
  assert.equal(metrics.runs[0].bestEpoch, run!.bestEpoch);
  const resolved = JSON.parse(readFileSync(join(out, 'config.resolved.json'), 'utf8'));
  assert.equal(resolved.train.kbrd.dim, 8);
  for (const file of ['model.safetensors', 'config.json', 'optimizer.safetensors', 'trainer-state.json']) {
    assert.ok(existsSync(join(out, 'seed-42', 'last', file)), file);
  }
  assert.ok(existsSync(join(out, 'seed-42', 'best', 'model.safetensors')));
});

test('a run stopped after epoch 1 and resumed ends with the same weights and metrics as an uninterrupted run', async () => {
  const dataset = withTrainSubset(await loadInspired(), 150);
  const config = tinyConfig({ epochs: 2, seeds: 1 });
  const straight = tempDir('straight');
  const resumed = tempDir('resumed');
  const a = await runTraining(config, dataset, { outDir: straight, silent: true });
  const stopped = await runTraining(config, dataset, { outDir: resumed, silent: true, stopAfterEpochs: 1 });
  assert.equal(stopped.runs.length, 0);
  assert.ok(!existsSync(join(resumed, 'metrics.json')));
  const b = await runTraining(config, dataset, { outDir: resumed, silent: true, resume: true });
  assert.deepEqual(b.runs[0]!.test, a.runs[0]!.test);
  assert.deepEqual(b.runs[0]!.history, a.runs[0]!.history);
  for (const file of ['model.safetensors', 'optimizer.safetensors']) {
    const x = await readSafetensors(join(straight, 'seed-42', 'last', file));
    const y = await readSafetensors(join(resumed, 'seed-42', 'last', file));
    assert.deepEqual([...x.tensors.keys()], [...y.tensors.keys()]);
    for (const [name, t] of x.tensors) assert.deepEqual(y.tensors.get(name)!.data, t.data, `${file} ${name}`);
  }
});

test('log label prior: log((n_i + 1) / (N + items)) over weighted sample labels', () => {
  const context = {
    dialogId: 'd',
    turnId: 1,
    utterances: [],
    entities: [],
    gold: [],
    goldEntities: [],
    recNames: [],
  };
  const prior = logLabelPrior(
    [
      { context, labels: Int32Array.of(0), weights: Float32Array.of(1) },
      { context, labels: Int32Array.of(0, 2), weights: Float32Array.of(0.5, 0.5) },
    ],
    3,
  );
  assert.deepEqual([...prior], [Math.log(2.5 / 5), Math.log(1 / 5), Math.log(1.5 / 5)].map(Math.fround));
});

test('early stopping: training ends `patience` epochs after the best valid epoch and keeps that epoch', async () => {
  const dataset = withTrainSubset(await loadInspired(), 60);
  const config = tinyConfig({ epochs: 12, patience: 2, seeds: 1 });
  const { runs } = await runTraining(config, dataset, { outDir: tempDir('patience'), silent: true });
  const [run] = runs;
  const ran = run!.history.length;
  assert.ok(ran < 12, `stopped early after ${ran} epochs`);
  assert.equal(ran - run!.bestEpoch, 2);
  const best = run!.history[run!.bestEpoch - 1]!.valid['recall@50']!;
  for (const h of run!.history.slice(run!.bestEpoch)) assert.ok(h.valid['recall@50']! <= best);
  assert.deepEqual(run!.valid, run!.history[run!.bestEpoch - 1]!.valid);

  // A run stopped mid-way and resumed stops at the same epoch with the same result.
  const dir = tempDir('patience-resumed');
  await runTraining(config, dataset, { outDir: dir, silent: true, stopAfterEpochs: 1 });
  const resumed = await runTraining(config, dataset, { outDir: dir, silent: true, resume: true });
  assert.deepEqual(resumed.runs[0]!.history, run!.history);
  assert.deepEqual(resumed.runs[0]!.test, run!.test);
});
