import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KnowledgeGraph } from '../../src/data/types.js';
import { crossEntropy, tidy } from '../../src/engine/index.js';
import { Kbrd } from '../../src/models/kbrd.js';
import { relationEdges } from '../../src/models/rgcn.js';
import { KbrdConfigSchema } from '../../src/models/settings.js';
import { asRecommender } from '../../src/models/trainable.js';
import { Rng } from '../../src/util/rng.js';
import { tinyCatalog, tinyContext } from '../eval/tiny-dataset.js';

// genre0 —genre→ Movie 0 and Movie 1; genre1 —genre→ Movie 1; person (entity 2) —star→ Movie 2.
const KG: KnowledgeGraph = {
  relations: ['genre', 'star'],
  heads: Int32Array.of(10, 11, 11, 12),
  relationIds: Int32Array.of(0, 0, 0, 1),
  tails: Int32Array.of(0, 0, 1, 2),
};

test('relation edges: both directions, reverse relation r + R, mean weights 1/in-degree per relation', () => {
  const edges = relationEdges(KG, 13);
  assert.equal(edges.length, 4);
  assert.deepEqual([...edges[0]!.src], [10, 11, 11]);
  assert.deepEqual([...edges[0]!.dst], [0, 0, 1]);
  assert.deepEqual([...edges[0]!.norm], [0.5, 0.5, 1]);
  // reverse genre: genre0 → Movie 0, genre0 → Movie 1, genre1 → Movie 1 (Movie 1 has two in-edges)
  assert.deepEqual([...edges[2]!.src], [0, 0, 1]);
  assert.deepEqual([...edges[2]!.dst], [10, 11, 11]);
  assert.deepEqual([...edges[2]!.norm], [1, 0.5, 0.5]);
  assert.deepEqual([...edges[3]!.src], [2]);
});

test('kbrd logits are [contexts × items]; empty contexts share the learned empty user vector', () => {
  const catalog = tinyCatalog(3);
  const model = new Kbrd(
    catalog,
    KG,
    KbrdConfigSchema.parse({ dim: 8, bases: 2, attentionDim: 4 }),
    new Rng(1),
  );
  try {
    const contexts = [
      tinyContext('a', 1, [], [10]),
      tinyContext('b', 1, [], [11]),
      tinyContext('c', 1, [0, 11], [12]),
    ];
    const scores = asRecommender(model).score(contexts);
    assert.equal(scores.length, 3 * 3);
    assert.deepEqual([...scores.subarray(0, 3)], [...scores.subarray(3, 6)]);
    assert.notDeepEqual([...scores.subarray(0, 3)], [...scores.subarray(6, 9)]);
    assert.ok(scores.every(Number.isFinite));
  } finally {
    model.free();
  }
});

test('kbrd gradients reach the basis weights, coefficients, attention and the empty vector', () => {
  const catalog = tinyCatalog(3);
  const model = new Kbrd(
    catalog,
    KG,
    KbrdConfigSchema.parse({ dim: 8, bases: 2, attentionDim: 4 }),
    new Rng(2),
  );
  try {
    tidy(() => {
      const contexts = [tinyContext('a', 1, [], [10]), tinyContext('c', 1, [0, 2], [12])];
      crossEntropy(model.logits(contexts), [0, 2]).backward();
    });
    const grads = new Map(
      model.namedParameters().map(([name, p]) => [name, p.grad?.toArray() ?? new Float32Array()]),
    );
    for (const name of [
      'bases',
      'coefficients',
      'attention',
      'attentionVector',
      'empty',
      'itemBias',
      'entities',
      'selfLoop.weight',
    ]) {
      const g = grads.get(name);
      assert.ok(
        g?.some((v) => v !== 0),
        `${name} has a non-zero gradient`,
      );
    }
  } finally {
    model.free();
  }
});
