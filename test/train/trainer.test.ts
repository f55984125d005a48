import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { engine, readSafetensors } from '../../src/engine/index.js';
import { runTraining } from '../../src/train/run.js';
import { realSamples } from '../../src/train/samples.js';
import { epochRng, logLabelPrior, trainSeed } from '../../src/train/trainer.js';
import { Rng } from '../../src/util/rng.js';
import { stderrOf } from '../stderr.js';
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

test('early stopping: training ends `patience` epochs after the best valid epoch and keeps that epoch; patience 0 never stops', async () => {
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

  // Patience 0 trains every epoch, past the point where patience 2 stopped.
  const everyEpoch = { ...config, train: { ...config.train, patience: 0, epochs: ran + 1 } };
  const all = await runTraining(everyEpoch, dataset, { outDir: tempDir('patience-0'), silent: true });
  assert.equal(all.runs[0]!.history.length, ran + 1);

  // A run stopped mid-way and resumed stops at the same epoch with the same result.
  const dir = tempDir('patience-resumed');
  await runTraining(config, dataset, { outDir: dir, silent: true, stopAfterEpochs: 1 });
  const resumed = await runTraining(config, dataset, { outDir: dir, silent: true, resume: true });
  assert.deepEqual(resumed.runs[0]!.history, run!.history);
  assert.deepEqual(resumed.runs[0]!.test, run!.test);
});

/** The weights a run ended with (its seed's last/ checkpoint), by parameter name. */
async function finalWeights(out: string, seed = 42): Promise<Map<string, Float32Array>> {
  const file = await readSafetensors(join(out, `seed-${seed}`, 'last', 'model.safetensors'));
  return new Map([...file.tensors].map(([name, t]) => [name, t.data as Float32Array]));
}

const sameArray = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.from(a).every((v, i) => v === b[i]);

const closeArray = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  a.length === b.length && Array.from(a).every((v, i) => Math.abs(v - b[i]!) < 1e-6);

test('epoch data orders are reproducible per (seed, epoch), differ between epochs, and never reuse the seed’s own stream', () => {
  const first = (rng: Rng) => Array.from({ length: 4 }, () => rng.nextU32());
  assert.deepEqual(first(epochRng(42, 3)), first(epochRng(42, 3)));
  const streams = Array.from({ length: 8 }, (_, e) => first(epochRng(42, e)).join());
  assert.equal(new Set(streams).size, 8);
  // Rng(seed) initialises the weights; a data order drawn from that same stream would be tied to them.
  assert.ok(!streams.includes(first(new Rng(42)).join()));
});

test('a run without samples is refused; a checkpoint of another backbone names the flag to pass', async () => {
  const dataset = withTrainSubset(await loadInspired(), 20);
  const config = tinyConfig();
  await assert.rejects(
    trainSeed({
      dataset,
      train: config.train,
      seed: 1,
      samples: [],
      valid: [],
      evalOptions: { ks: [50], topK: 100 },
      outDir: tempDir('no-samples'),
      silent: true,
    }),
    /^CrsaugError: no training samples \(every label was filtered out\?\)$/,
  );
  const dir = tempDir('other-backbone');
  await runTraining(tinyConfig({ epochs: 1 }), dataset, { outDir: dir, silent: true });
  await assert.rejects(
    runTraining(tinyConfig({ mode: 'stage2', init: join(dir, 'seed-42', 'best'), model: 'text' }), dataset, {
      outDir: tempDir('other-backbone-2'),
      silent: true,
    }),
    (err: unknown) => {
      assert.match(String(err), /--init .* holds a kbrd model, but the run trains text/);
      assert.equal((err as { hint?: string }).hint, 'pass --model kbrd');
      return true;
    },
  );
  await assert.rejects(
    runTraining(tinyConfig({ mode: 'stage2' }), dataset, { outDir: tempDir('no-init'), silent: true }),
    /^CrsaugError: stage2 needs --init \(the stage-1 best\/ checkpoint folder\)$/,
  );
  await assert.rejects(
    runTraining(tinyConfig({ selectMetric: 'ndcg@7' }), dataset, { outDir: tempDir('bad-k'), silent: true }),
    /^CrsaugError: selection metric ndcg@7 needs cut-off 7 in eval.ks \(1,5,10,25,50\)$/,
  );
});

test('a fresh model starts from the log label prior (unless itemPrior is off); a model from --init keeps its own bias', async () => {
  const dataset = withTrainSubset(await loadInspired(), 60);
  const samples = realSamples(dataset.splits.train!.contexts);
  // A learning rate so small that the checkpoint holds the starting weights (to within 1e-11).
  const still = { epochs: 1, lr: 1e-12, weightDecay: 0 };
  const withPrior = tempDir('prior');
  await runTraining(tinyConfig(still), dataset, { outDir: withPrior, silent: true });
  const prior = logLabelPrior(samples, dataset.catalog.items.length);
  assert.ok(closeArray((await finalWeights(withPrior)).get('itemBias')!, prior));
  const withoutPrior = tempDir('no-prior');
  await runTraining(tinyConfig({ ...still, itemPrior: false }), dataset, {
    outDir: withoutPrior,
    silent: true,
  });
  const fresh = (await finalWeights(withoutPrior)).get('itemBias')!;
  assert.ok(
    fresh.every((b) => Math.abs(b) < 1e-6),
    'itemPrior: false keeps the initial bias (0)',
  );

  const init = join(withoutPrior, 'seed-42', 'best');
  const stage2 = tempDir('init-bias');
  await runTraining(tinyConfig({ ...still, mode: 'stage2', init }), dataset, {
    outDir: stage2,
    silent: true,
  });
  assert.ok(closeArray((await finalWeights(stage2)).get('itemBias')!, fresh), 'the --init bias is kept');
});

test('weight decay skips biases: after one step, decay changes every weight but no bias', async () => {
  const dataset = withTrainSubset(await loadInspired(), 60);
  // One batch, one epoch: one AdamW step from the same start, whose gradient does not depend on the decay.
  const step = (weightDecay: number) => tinyConfig({ epochs: 1, batchSize: 1024, weightDecay });
  const [none, strong] = [tempDir('decay-0'), tempDir('decay-5')];
  await runTraining(step(0), dataset, { outDir: none, silent: true });
  await runTraining(step(5), dataset, { outDir: strong, silent: true });
  const [a, b] = [await finalWeights(none), await finalWeights(strong)];
  for (const [name, weights] of a) {
    if (/bias$/i.test(name)) assert.ok(sameArray(weights, b.get(name)!), `${name} decayed`);
    else assert.ok(!sameArray(weights, b.get(name)!), `${name} not decayed`);
  }
});

test('warm-up −1 is one epoch of steps; clipNorm 0 disables clipping', async () => {
  const dataset = withTrainSubset(await loadInspired(), 60);
  const samples = realSamples(dataset.splits.train!.contexts).length;
  const run = async (train: Record<string, unknown>) => {
    const out = tempDir('schedule');
    const result = await runTraining(tinyConfig({ epochs: 2, batchSize: 16, lr: 0.05, ...train }), dataset, {
      outDir: out,
      silent: true,
    });
    return { weights: await finalWeights(out), loss: result.runs[0]!.history.map((h) => h.loss) };
  };
  const same = (x: Awaited<ReturnType<typeof run>>, y: Awaited<ReturnType<typeof run>>) =>
    sameArray(x.loss, y.loss) && [...x.weights].every(([name, w]) => sameArray(w, y.weights.get(name)!));
  const oneEpoch = await run({ warmupSteps: -1 });
  assert.ok(same(oneEpoch, await run({ warmupSteps: Math.ceil(samples / 16) })));
  assert.ok(!same(oneEpoch, await run({ warmupSteps: 0 })));
  const unclipped = await run({ clipNorm: 1e9 });
  assert.ok(same(unclipped, await run({ clipNorm: 0 })), 'clipNorm 0: no clipping');
  assert.ok(!same(unclipped, await run({ clipNorm: 1e-3 })), 'a small clipNorm clips');
});

test('the first of equally good epochs is selected; history numbers epochs from 1; trainSeconds is the epochs’ wall time', async () => {
  const dataset = withTrainSubset(await loadInspired(), 60);
  const out = tempDir('select');
  const started = performance.now();
  const { runs } = await runTraining(tinyConfig({ epochs: 3, lr: 1e-12, weightDecay: 0 }), dataset, {
    outDir: out,
    silent: true,
  });
  const wall = (performance.now() - started) / 1000;
  const [run] = runs;
  assert.deepEqual(
    run!.history.map((h) => h.epoch),
    [1, 2, 3],
  );
  assert.deepEqual(run!.history[2]!.valid, run!.history[0]!.valid, 'the weights did not move');
  assert.equal(run!.bestEpoch, 1);
  assert.ok(run!.trainSeconds > 0 && run!.trainSeconds <= wall, `${run!.trainSeconds} s of ${wall} s`);
});

test('resuming continues from the saved epoch (stopAfterEpochs counts from there) and refuses another seed’s folder', async () => {
  const dataset = withTrainSubset(await loadInspired(), 60);
  const out = tempDir('resume-count');
  const config = tinyConfig({ epochs: 2 });
  await runTraining(config, dataset, { outDir: out, silent: true, stopAfterEpochs: 1 });
  const { value, text } = await stderrOf(() =>
    runTraining(config, dataset, { outDir: out, resume: true, stopAfterEpochs: 1 }),
  );
  assert.equal(value.runs.length, 1, 'one more epoch finished the run');
  assert.match(text, /^resuming seed 42 after epoch 1 \(step \d+\)$/m);
  const quiet = tempDir('resume-quiet');
  await runTraining(config, dataset, { outDir: quiet, silent: true, stopAfterEpochs: 1 });
  const silent = await stderrOf(() =>
    runTraining(config, dataset, { outDir: quiet, silent: true, resume: true }),
  );
  assert.equal(silent.text, '');
  await assert.rejects(
    trainSeed({
      dataset,
      train: config.train,
      seed: 43,
      samples: realSamples(dataset.splits.train!.contexts),
      valid: dataset.splits.valid!.contexts,
      evalOptions: { ks: [50], topK: 100 },
      outDir: join(out, 'seed-42'),
      resume: true,
      silent: true,
    }),
    new RegExp(`${join(out, 'seed-42', 'last')} belongs to seed 42, not 43`),
  );
});

test('progress: a line per batch with the running mean loss, a closing line per epoch; nothing when silent', async () => {
  const dataset = withTrainSubset(await loadInspired(), 60);
  const samples = realSamples(dataset.splits.train!.contexts).length;
  const config = tinyConfig({ epochs: 1, batchSize: 32 });
  // As on a terminal, so every batch is drawn (at most every 100 ms; the first always).
  const { value, text } = await stderrOf(
    () => runTraining(config, dataset, { outDir: tempDir('progress') }),
    true,
  );
  const [run] = value.runs;
  const first = new RegExp(`seed 42 epoch 1/1: 32/${samples} \\(\\d+\\.\\d%\\) .* loss (\\d+\\.\\d{4})`).exec(
    text,
  );
  assert.ok(first, text);
  const loss = run!.history[0]!.loss;
  // The first batch's mean loss is close to the epoch's (a fresh model barely moves in one epoch).
  assert.ok(Math.abs(Number(first[1]) - loss) < 0.15 * loss, `first batch ${first[1]}, epoch ${loss}`);
  const recall = run!.history[0]!.valid['recall@50']!;
  assert.match(
    text,
    new RegExp(
      `seed 42 epoch 1/1: ${samples}/${samples} samples in .* loss ${loss.toFixed(4)} valid recall@50 ${recall.toFixed(4)}\\n`,
    ),
  );
  const silent = await stderrOf(
    () => runTraining(config, dataset, { outDir: tempDir('progress-silent'), silent: true }),
    true,
  );
  assert.equal(silent.text, '', 'silent: no training or evaluation progress');
});

test('training frees its model, optimizer and frozen reference', async () => {
  const dataset = withTrainSubset(await loadInspired(), 40);
  const dir = tempDir('leak');
  await runTraining(tinyConfig({ epochs: 1 }), dataset, { outDir: dir, silent: true });
  const before = engine().heap.liveBytes();
  await runTraining(tinyConfig({ epochs: 1, mode: 'stage2', init: join(dir, 'seed-42', 'best') }), dataset, {
    outDir: tempDir('leak-2'),
    silent: true,
  });
  assert.equal(engine().heap.liveBytes(), before);
});
