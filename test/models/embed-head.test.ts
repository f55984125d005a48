import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { contextEmbeddingsBase, EMBEDDINGS_FORMAT, writeEmbeddings } from '../../src/data/embeddings-file.js';
import { type Dataset, SPLIT_NAMES, type SplitName } from '../../src/data/types.js';
import { AttributeSimulator } from '../../src/eval/simulate/attribute-simulator.js';
import { backboneSpec } from '../../src/models/registry.js';
import { simulateGroup } from '../../src/pipeline/beyond-labels.js';
import { checkpointSystem } from '../../src/pipeline/systems.js';
import { runTraining } from '../../src/train/run.js';
import { BEST_CHECKPOINT } from '../../src/train/trainer.js';
import { Rng } from '../../src/util/rng.js';
import { runCli } from '../eval/run-cli.js';
import { loadInspired, tempDir, tinyConfig } from '../train/helpers.js';

const DIMS = 24;

/**
 * Writes context embeddings for every split in the augment format. Each context's vector is a fixed random
 * code of its first gold item plus noise (pure noise without gold), so a head that learns from these
 * vectors must reach a recall far above popularity.
 */
async function writeCodedEmbeddings(
  dataset: Dataset,
  dir: string,
  splits: readonly SplitName[],
): Promise<void> {
  const rng = new Rng(5);
  const codes = Array.from({ length: dataset.catalog.items.length }, () =>
    Float32Array.from({ length: DIMS }, () => rng.normal()),
  );
  for (const split of splits) {
    const contexts = dataset.splits[split]!.contexts;
    const matrix = new Float32Array(contexts.length * DIMS);
    contexts.forEach((c, r) => {
      const code = c.gold.length > 0 ? codes[c.gold[0]!]! : null;
      for (let d = 0; d < DIMS; d++) matrix[r * DIMS + d] = (code?.[d] ?? 0) + 0.1 * rng.normal();
    });
    await writeEmbeddings(contextEmbeddingsBase(dir, split), {
      index: {
        format: EMBEDDINGS_FORMAT,
        dtype: 'float32',
        byteOrder: 'little',
        rows: contexts.length,
        dims: DIMS,
        kind: 'contexts',
        model: 'test codes',
        modelId: 'test:codes',
        prefix: '',
        suffix: '',
        keys: contexts.map((c) => ({ dialog_id: c.dialogId, turn_id: c.turnId })),
      },
      matrix,
    });
  }
}

test('embed-head learns from context embeddings in the augment format', async () => {
  const dataset = await loadInspired();
  const dir = tempDir('embed-head');
  await writeCodedEmbeddings(dataset, dir, SPLIT_NAMES);
  const config = tinyConfig({
    model: 'embed-head',
    epochs: 8,
    embedHead: { embeddings: dir, hidden: 0, lr: 0.01 },
  });
  const { runs } = await runTraining(config, dataset, { outDir: join(dir, 'run'), silent: true });
  // INSPIRED test popularity: recall@10 0.106 (crsaug baseline --model popularity).
  assert.ok(runs[0]!.test['recall@10']! > 0.5, `recall@10 ${runs[0]!.test['recall@10']}`);

  // Its vectors are fixed per logged (dialog, turn): a simulated user's feedback could never reach it, so the
  // simulator leaves it out with the model table's reason rather than ranking as if it had listened.
  const checkpoint = join(dir, 'run', `seed-${runs[0]!.seed}`, BEST_CHECKPOINT);
  const group = {
    model: 'embed-head',
    mode: 'baseline',
    trained: true,
    systems: [checkpointSystem('embed-head', 'baseline', runs[0]!.seed, checkpoint)],
  };
  const simulated = await simulateGroup(
    group,
    dataset,
    dataset.splits.test!.contexts,
    new AttributeSimulator(dataset, { seed: 1 }),
    { turns: 3, ks: [10], topK: 100, concurrency: 1, silent: true },
  );
  assert.equal(simulated.excluded, backboneSpec('embed-head').ignoresFeedback);
  assert.match(simulated.excluded!, /precomputed per logged \(dialog, turn\)/);
  assert.deepEqual(simulated.seeds, []);
  const cli = runCli([
    'eval',
    '--dataset',
    'inspired',
    '--checkpoint',
    checkpoint,
    '--simulate',
    'attribute',
  ]);
  assert.equal(cli.status, 1);
  assert.match(cli.stderr, /embed-head cannot be simulated: it ranks from context embeddings precomputed/);
});

test('embed-head names the context that has no embedding, and a folder without embeddings', async () => {
  const dataset = await loadInspired();
  const dir = tempDir('embed-head-missing');
  await writeCodedEmbeddings(dataset, dir, ['train', 'valid']);
  const config = tinyConfig({ model: 'embed-head', epochs: 1, embedHead: { embeddings: dir } });
  await assert.rejects(
    runTraining(config, dataset, { outDir: join(dir, 'run'), silent: true }),
    /no embedding for context \(dialog \S+, turn \d+\)/,
  );
  const empty = tempDir('embed-head-empty');
  const none = tinyConfig({ model: 'embed-head', embedHead: { embeddings: empty } });
  await assert.rejects(
    runTraining(none, dataset, { outDir: join(empty, 'run'), silent: true }),
    /no context embeddings in/,
  );
});
