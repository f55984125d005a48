import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveDataDir } from '../../src/config/paths.js';
import { loadDataset } from '../../src/data/index.js';
import { splitOf } from '../../src/eval/index.js';
import { withRealItemPrior } from '../../src/pipeline/train-stages.js';
import { buildBackbone } from '../../src/train/backbones.js';
import { loadModel, saveModel } from '../../src/train/checkpoint.js';
import { realSamples } from '../../src/train/samples.js';
import { logLabelPrior } from '../../src/train/trainer.js';

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
