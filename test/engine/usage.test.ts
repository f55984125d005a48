// The usage example of docs/engine.md at toy size: define, train, checkpoint, reload, predict the same.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  AdamW,
  clipGradNorm,
  configureEngine,
  crossEntropy,
  Embedding,
  Linear,
  learningRateFactor,
  loadCheckpointWeights,
  Module,
  noGrad,
  readCheckpointConfig,
  saveCheckpoint,
  type Tensor,
  tidy,
} from '../../src/engine/index.js';
import { Rng } from '../../src/util/rng.js';

class BagClassifier extends Module {
  readonly emb;
  readonly out;
  constructor(vocab: number, dim: number, classes: number) {
    super();
    this.emb = this.child('emb', new Embedding(vocab, dim, new Rng(1), { sparse: true }));
    this.out = this.child('out', new Linear(dim, classes, new Rng(2)));
  }
  forward(tokens: Int32Array, bags: Int32Array, batch: number): Tensor {
    return this.out.forward(this.emb.bagMean(tokens, bags, batch));
  }
}

test('docs example: a bag-of-tokens classifier trains, checkpoints and reloads', async () => {
  configureEngine({ threads: 0 });
  const [vocab, dim, classes, batch, tokensPerBag] = [60, 16, 5, 20, 4];
  // Class c's bags draw tokens from their own slice of the vocabulary: learnable.
  const rng = new Rng(3);
  const batches = Array.from({ length: 30 }, () => {
    const labels = Int32Array.from({ length: batch }, () => rng.int(classes));
    const tokens = Int32Array.from(
      { length: batch * tokensPerBag },
      (_, i) => labels[Math.floor(i / tokensPerBag)]! * 12 + rng.int(12),
    );
    const bags = Int32Array.from({ length: batch * tokensPerBag }, (_, i) => Math.floor(i / tokensPerBag));
    return { tokens, bags, labels, size: batch };
  });
  const model = new BagClassifier(vocab, dim, classes);
  const opt = new AdamW(model.namedParameters(), { lr: 0.05, weightDecay: 0.01 });
  const losses = batches.map((b, step) =>
    tidy(() => {
      opt.zeroGrad();
      const l = crossEntropy(model.forward(b.tokens, b.bags, b.size), b.labels);
      l.backward();
      clipGradNorm(model.parameters(), 1.0);
      opt.step(learningRateFactor(step, { warmupSteps: 3, totalSteps: batches.length, decay: 'linear' }));
      return l.item();
    }),
  );
  assert.ok(
    losses[losses.length - 1]! < 0.5 * losses[0]!,
    `loss ${losses[0]} → ${losses[losses.length - 1]}`,
  );

  const dir = join(mkdtempSync(join(tmpdir(), 'crsaug-usage-')), 'checkpoint');
  await saveCheckpoint(dir, model, { vocab, dim, classes });
  const config = readCheckpointConfig(dir) as { vocab: number; dim: number; classes: number };
  const reloaded = new BagClassifier(config.vocab, config.dim, config.classes);
  await loadCheckpointWeights(dir, reloaded);
  const b = batches[0]!;
  const predict = (m: BagClassifier): Float32Array =>
    noGrad(() => tidy(() => m.forward(b.tokens, b.bags, b.size).toArray()));
  assert.deepEqual(Array.from(predict(reloaded)), Array.from(predict(model)));
  opt.free();
  model.free();
  reloaded.free();
});
