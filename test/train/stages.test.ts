import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Dataset } from '../../src/data/types.js';
import { AdamW, crossEntropy, klDivergence, noGrad, softmax, tidy } from '../../src/engine/index.js';
import { loadModel } from '../../src/train/checkpoint.js';
import { batchLoss } from '../../src/train/loss.js';
import { runTraining, samplesForMode } from '../../src/train/run.js';
import { readSyntheticLabels, realSamples, syntheticSamples } from '../../src/train/samples.js';
import { InputError } from '../../src/util/errors.js';
import { loadInspired, tempDir, tinyConfig, withTrainSubset } from './helpers.js';

const LABELS_PER_CONTEXT = 4;

/**
 * A synthetic label file over the first 40 train contexts: 4 catalog items each (rotating through the
 * catalog, skipping items the context mentions), scores 4, 3, 2, 1, plus one unknown name and the context's own first item (a repeat).
 */
function writeSyntheticFile(dataset: Dataset, dir: string): { file: string; contexts: number } {
  const { catalog } = dataset;
  const contexts = dataset.splits.train!.contexts.slice(0, 40);
  const lines = contexts.map((c, i) => {
    const mentioned = new Set(c.entities);
    const rec: string[] = [];
    for (let j = 0; rec.length < LABELS_PER_CONTEXT; j++) {
      const item = (i * 7 + j * 13) % catalog.items.length;
      if (!mentioned.has(catalog.itemEntity[item]!)) rec.push(catalog.items[item]!.name);
    }
    const mentionedItem = c.entities.find((e) => catalog.itemOfEntity[e]! >= 0);
    const extra = mentionedItem === undefined ? [] : [catalog.entityNames[mentionedItem]!];
    return JSON.stringify({
      dialog_id: c.dialogId,
      turn_id: c.turnId,
      context: c.utterances,
      entity: c.entities.map((e) => catalog.entityNames[e]),
      rec: [...rec, 'No Such Movie (1900)', ...extra],
      scores: [4, 3, 2, 1, 5, ...extra.map(() => 5)],
    });
  });
  const file = join(dir, 'synthetic.jsonl');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return { file, contexts: contexts.length };
}

test('synthetic labels: repeats and unknown names dropped; per-label vs multi-positive samples', async () => {
  const dataset = await loadInspired();
  const { file, contexts } = writeSyntheticFile(dataset, tempDir('synthetic'));
  const labels = await readSyntheticLabels(file, dataset.catalog);
  assert.equal(labels.contexts.length, contexts);
  assert.equal(labels.unknownNames, contexts);
  assert.ok(labels.repeatedDropped > 0);
  const perLabel = syntheticSamples(labels, 'per-label', false);
  assert.equal(perLabel.length, contexts * LABELS_PER_CONTEXT);
  const weighted = syntheticSamples(labels, 'per-label', true);
  assert.deepEqual(
    weighted.slice(0, 4).map((s) => s.weights[0]),
    [4, 3, 2, 1],
  );
  const multi = syntheticSamples(labels, 'multi-positive', true);
  assert.equal(multi.length, contexts);
  assert.equal(multi[0]!.labels.length, LABELS_PER_CONTEXT);
  assert.deepEqual([...multi[0]!.weights], [0.4, 0.3, 0.2, 0.1].map(Math.fround));
  const uniform = syntheticSamples(labels, 'multi-positive', false);
  assert.ok(uniform[0]!.weights.every((w) => w === 0.25));
  // listwise: softmax(score / τ) over the context's labels, so τ sets how much the top score dominates.
  const soft = syntheticSamples(labels, 'listwise', false, 1);
  const z = [4, 3, 2, 1].map((s) => Math.exp(s - 4));
  const total = z.reduce((a, b) => a + b, 0);
  assert.equal(soft.length, contexts);
  for (const [i, w] of soft[0]!.weights.entries()) assert.ok(Math.abs(w - z[i]! / total) < 1e-6);
  const sharp = syntheticSamples(labels, 'listwise', false, 0.25);
  assert.ok(sharp[0]!.weights[0]! > 0.98 && sharp[0]!.weights[0]! > soft[0]!.weights[0]!);
});

test('a scores list that is not aligned with rec is refused with file, line and field', async () => {
  const dataset = await loadInspired();
  const file = join(tempDir('bad-synthetic'), 'bad.jsonl');
  const good = {
    dialog_id: 'd',
    turn_id: 1,
    context: ['hi'],
    entity: [],
    rec: [dataset.catalog.items[0]!.name],
  };
  writeFileSync(file, `${JSON.stringify(good)}\n${JSON.stringify({ ...good, scores: [1, 2] })}\n`);
  await assert.rejects(readSyntheticLabels(file, dataset.catalog), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.match(err.message, /bad\.jsonl:2: field "scores": has 2 entries for 1 rec names/);
    return true;
  });
});

test('stage1 (both label modes), stage2 from its checkpoint, and mixed all train and evaluate', async () => {
  const dataset = withTrainSubset(await loadInspired(), 100);
  const dir = tempDir('stages');
  const { file } = writeSyntheticFile(dataset, dir);
  const stage1 = await runTraining(
    tinyConfig({ mode: 'stage1', synthetic: file, labelMode: 'per-label' }),
    dataset,
    {
      outDir: join(dir, 'stage1'),
      silent: true,
    },
  );
  assert.equal(stage1.output.samples, 40 * LABELS_PER_CONTEXT);
  assert.deepEqual(stage1.output.synthetic, {
    file,
    contexts: 40,
    labels: 40 * LABELS_PER_CONTEXT,
    unknownNames: 40,
    repeatedDropped: (await readSyntheticLabels(file, dataset.catalog)).repeatedDropped,
  });
  const multi = await runTraining(
    tinyConfig({ mode: 'stage1', synthetic: file, labelMode: 'multi-positive', scoreWeighted: true }),
    dataset,
    { outDir: join(dir, 'stage1-multi'), silent: true },
  );
  assert.equal(multi.output.samples, 40);
  const init = join(dir, 'stage1', 'seed-42', 'best');
  const stage2 = await runTraining(tinyConfig({ mode: 'stage2', init, alpha: 1 }), dataset, {
    outDir: join(dir, 'stage2'),
    silent: true,
  });
  const mixed = await runTraining(
    tinyConfig({ mode: 'mixed', synthetic: file, labelMode: 'per-label' }),
    dataset,
    {
      outDir: join(dir, 'mixed'),
      silent: true,
    },
  );
  const realPairs = (await samplesForMode(tinyConfig(), dataset)).samples.length;
  assert.equal(mixed.output.samples, 40 * LABELS_PER_CONTEXT + realPairs);
  for (const run of [stage1, multi, stage2, mixed]) assert.equal(run.runs[0]!.test.pairs, 161);
  await assert.rejects(
    runTraining(tinyConfig({ mode: 'stage2' }), dataset, { outDir: join(dir, 'x'), silent: true }),
    /stage2 needs --init/,
  );
  await assert.rejects(
    runTraining(tinyConfig({ mode: 'stage2', init, model: 'text' }), dataset, {
      outDir: join(dir, 'y'),
      silent: true,
    }),
    /holds a kbrd model, but the run trains text/,
  );
  await assert.rejects(
    runTraining(tinyConfig({ selectMetric: 'recall@7' }), dataset, { outDir: join(dir, 'z'), silent: true }),
    /recall@7 needs cut-off 7 in eval.ks/,
  );
});

test('stage 2 KL term: zero gradient at the start, a real gradient once the weights move, frozen copy untouched', async () => {
  const dataset = withTrainSubset(await loadInspired(), 50);
  const dir = tempDir('kl');
  await runTraining(tinyConfig({ epochs: 1 }), dataset, { outDir: dir, silent: true });
  const checkpoint = join(dir, 'seed-42', 'best');
  const model = await loadModel(checkpoint, dataset);
  const reference = await loadModel(checkpoint, dataset);
  reference.module.eval();
  const referenceBefore = reference.module.parameters().map((p) => p.toArray());
  const contexts = dataset.splits.train!.contexts.slice(0, 16);
  const klGradNorm = () => {
    for (const p of model.module.parameters()) p.grad?.data.fill(0);
    tidy(() => {
      const refProbs = noGrad(() => softmax(reference.logits(contexts), 2));
      klDivergence(model.logits(contexts), refProbs, { temperature: 2 }).backward();
    });
    let squares = 0;
    for (const p of model.module.parameters()) for (const g of p.grad?.data ?? []) squares += g * g;
    return Math.sqrt(squares);
  };
  try {
    assert.ok(klGradNorm() < 1e-6, 'identical copies: KL and its gradient are zero');
    const optimizer = new AdamW(model.module.namedParameters(), { lr: 0.05 });
    for (const p of model.module.parameters()) p.grad?.data.fill(0);
    tidy(() =>
      crossEntropy(
        model.logits(contexts),
        contexts.map((c) => c.gold[0] ?? 0),
      ).backward(),
    );
    optimizer.step();
    optimizer.free();
    assert.ok(klGradNorm() > 1e-3, 'after a CE step the KL term pulls back towards the frozen copy');
    reference.module.parameters().forEach((p, i) => {
      assert.deepEqual(p.data, referenceBefore[i]);
    });
  } finally {
    model.module.free();
    reference.module.free();
  }
});

test('stage 2 with temperatureSquared weighs the KL term by α·τ² instead of α', async () => {
  const dataset = withTrainSubset(await loadInspired(), 50);
  const dir = tempDir('tau2');
  await runTraining(tinyConfig({ epochs: 1 }), dataset, { outDir: dir, silent: true });
  const checkpoint = join(dir, 'seed-42', 'best');
  const model = await loadModel(checkpoint, dataset);
  const reference = await loadModel(checkpoint, dataset);
  try {
    // Move the trained copy away from the reference so the KL term is not zero.
    const optimizer = new AdamW(model.module.namedParameters(), { lr: 0.05 });
    const contexts = dataset.splits.train!.contexts.slice(0, 16);
    tidy(() =>
      crossEntropy(
        model.logits(contexts),
        contexts.map((c) => c.gold[0] ?? 0),
      ).backward(),
    );
    optimizer.step();
    optimizer.free();
    const batch = realSamples(contexts);
    const loss = (alpha: number, temperatureSquared: boolean) =>
      tidy(() =>
        noGrad(() =>
          batchLoss(model, batch, { reference, alpha, temperature: 2, temperatureSquared }).item(),
        ),
      );
    const ce = loss(0, false);
    const kl = loss(0.5, false) - ce;
    assert.ok(kl > 1e-4, `KL term ${kl}`);
    assert.ok(Math.abs(loss(0.5, true) - ce - 4 * kl) < 1e-4 * Math.max(1, ce));
  } finally {
    model.module.free();
    reference.module.free();
  }
});
