import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { resolveDataDir } from '../../src/config/paths.js';
import { loadDataset } from '../../src/data/index.js';
import { splitOf } from '../../src/eval/index.js';
import { buildBackbone } from '../../src/models/registry.js';
import { ArtifactStore } from '../../src/pipeline/artifact-store.js';
import { trainStage2 } from '../../src/pipeline/modes.js';
import { INIT_CHECKPOINT, withRealItemPrior } from '../../src/pipeline/seed-task.js';
import { trainStage } from '../../src/pipeline/train-stages.js';
import { loadModel, saveModel } from '../../src/train/checkpoint.js';
import { realSamples } from '../../src/train/samples.js';
import { BEST_CHECKPOINT, logLabelPrior } from '../../src/train/trainer.js';
import { writeJsonl } from '../../src/util/jsonl.js';

const root = mkdtempSync(join(tmpdir(), 'crsaug-train-stages-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('withRealItemPrior: the copy has the real-label log prior as item bias and every other weight unchanged', async () => {
  const dataset = await loadDataset('inspired', {
    dataDir: resolveDataDir(undefined).dir,
    splits: ['train'],
  });
  const items = dataset.catalog.itemEntity.length;
  const stage1 = await buildBackbone('kbrd', dataset, { dim: 16, attentionDim: 16 }, 3);
  // A stage-1-like bias: popular real items pushed down, as a long-tail synthetic prior does.
  stage1.setItemBias(Float32Array.from({ length: items }, (_, i) => -0.01 * i));
  await saveModel(join(root, 'stage1'), stage1, dataset);

  const written = await withRealItemPrior(dataset, join(root, 'stage1'), join(root, 'init'));
  assert.equal(written, join(root, 'init'));
  const init = await loadModel(written, dataset);
  const before = new Map(stage1.module.namedParameters());
  const expected = logLabelPrior(realSamples(splitOf(dataset, 'train').contexts), items);
  let biasChecked = false;
  for (const [name, tensor] of init.module.namedParameters()) {
    if (name.endsWith('itemBias')) {
      assert.deepEqual([...tensor.data], [...expected]);
      biasChecked = true;
    } else assert.deepEqual([...tensor.data], [...before.get(name)!.data], name);
  }
  assert.ok(biasChecked, 'the model has an item bias parameter');
  // The most frequent real gold item gets the largest bias.
  const top = expected.indexOf(Math.max(...expected));
  const counts = new Map<number, number>();
  for (const c of splitOf(dataset, 'train').contexts)
    for (const g of c.gold) counts.set(g, (counts.get(g) ?? 0) + 1);
  assert.equal(counts.get(top), Math.max(...counts.values()));
  stage1.module.free();
  init.module.free();
});

test('trainStage: stage 1 in multi-positive mode trains one sample per context, per-label one per label', async () => {
  const config = resolveConfig({
    cwd: root,
    env: {},
    flags: { dataset: 'inspired', cacheDir: join(root, 'cache'), train: { epochs: 1, seeds: 1 } },
  });
  const dataset = await loadDataset('inspired', { dataDir: resolveDataDir(undefined).dir });
  // 20 real train contexts, each labelled with three items it does not mention.
  const contexts = splitOf(dataset, 'train').contexts.slice(0, 20);
  const file = join(root, 'synthetic.jsonl');
  await writeJsonl(
    file,
    contexts.map((c) => {
      const mentioned = new Set(c.entities);
      const items = dataset.catalog.items.filter((_, i) => !mentioned.has(dataset.catalog.itemEntity[i]!));
      return {
        dialog_id: c.dialogId,
        turn_id: c.turnId,
        context: c.utterances,
        entity: c.entities.map((e) => dataset.catalog.entityNames[e]!),
        rec: items.slice(0, 3).map((item) => item.name),
      };
    }),
  );
  const ctx = { config, dataset, store: new ArtifactStore(join(root, 'artifacts')), log: () => {} };
  const synthetic = { key: 'synthetic-test', file };
  const multi = await trainStage(ctx, {
    backbone: 'kbrd',
    mode: 'stage1',
    label: 'stage1',
    synthetic,
    train: { labelMode: 'multi-positive' },
  });
  const perLabel = await trainStage(ctx, {
    backbone: 'kbrd',
    mode: 'stage1',
    label: 'stage1',
    synthetic,
    train: { labelMode: 'per-label' },
  });
  assert.equal(multi.value.samples, 20);
  assert.equal(perLabel.value.samples, 60);
  assert.notEqual(multi.key, perLabel.key, 'the label mode is part of the stage key');

  // Stage 2 as the paper trains it starts from (and distils towards) stage 1 as trained; stage2-prior
  // starts from a copy with the real-label item prior, written into its own folder.
  const initOf = (dir: string) =>
    JSON.parse(readFileSync(join(dir, 'config.resolved.json'), 'utf8')).train.init as string;
  const paper = await trainStage2(ctx, 'kbrd', multi);
  const prior = await trainStage2(ctx, 'kbrd', multi, { realItemPrior: true });
  assert.equal(paper.value.mode, 'stage2');
  assert.equal(prior.value.mode, 'stage2-prior');
  assert.equal(initOf(paper.dir), join(multi.dir, 'seed-42', BEST_CHECKPOINT));
  assert.equal(initOf(prior.dir), join(prior.dir, 'seed-42', INIT_CHECKPOINT));
  assert.notEqual(paper.key, prior.key);

  // Regression: the baseline has no other input, so its key must name the dataset (a run folder reused for
  // another dataset once reused the first dataset's baseline).
  const withTrain = (n: number) => ({
    ...dataset,
    splits: { ...dataset.splits, train: { ...splitOf(dataset, 'train'), contexts: contexts.slice(0, n) } },
  });
  const baseline = (n: number) =>
    trainStage({ ...ctx, dataset: withTrain(n) }, { backbone: 'kbrd', mode: 'baseline', label: 'baseline' });
  const [ten, twenty] = [await baseline(10), await baseline(20)];
  assert.notEqual(ten.key, twenty.key);
  assert.ok(ten.value.samples < twenty.value.samples, 'each trained on its own dataset');
});
