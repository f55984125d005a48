import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import {
  add,
  aggregateEdges,
  concat,
  crossEntropy,
  dropout,
  embedding,
  embeddingBagMean,
  engine,
  gatherColumns,
  gelu,
  keep,
  klDivergence,
  layerNorm,
  linear,
  maskedAttentionPool,
  matmul,
  mean,
  meanAxis,
  mul,
  noGrad,
  permute,
  relu,
  scale,
  segmentMean,
  segmentSum,
  sigmoid,
  slice,
  softmax,
  sub,
  sum,
  sumAxis,
  Tensor,
  tanh,
  tidy,
} from '../../src/engine/index.js';
import type { Parameter } from '../../src/engine/parameter.js';
import { Rng } from '../../src/util/rng.js';
import { gradCheck, leaf } from './gradcheck.js';

const made: Parameter[] = [];
function p(shape: number[], seed: number, s = 1): Parameter {
  const t = leaf(shape, seed, s);
  made.push(t);
  return t;
}
after(() => {
  for (const t of made) t.free();
});

test('matmul gradients, every transpose combination, 2-D and batched 3-D', () => {
  for (const transA of [false, true]) {
    for (const transB of [false, true]) {
      const a = p(transA ? [7, 5] : [5, 7], 1);
      const b = p(transB ? [9, 7] : [7, 9], 2);
      gradCheck(() => matmul(a, b, { transA, transB }), [a, b]);
      const a3 = p(transA ? [3, 6, 5] : [3, 5, 6], 3);
      const b3 = p(transB ? [3, 4, 6] : [3, 6, 4], 4);
      gradCheck(() => matmul(a3, b3, { transA, transB }), [a3, b3]);
    }
  }
  // A sequence times one shared weight matrix.
  const x = p([2, 5, 6], 5);
  const w = p([6, 3], 6);
  gradCheck(() => matmul(x, w), [x, w]);
  const wt = p([3, 6], 7);
  gradCheck(() => matmul(x, wt, { transB: true }), [x, wt]);
});

test('linear (x·W + b) checks its gradients and equals add(matmul(x, W), b) bit for bit', () => {
  const w = p([6, 3], 8);
  const b = p([3], 9);
  for (const shape of [
    [5, 6],
    [2, 4, 6],
  ]) {
    const x = p(shape, 10);
    gradCheck(() => linear(x, w, b), [x, w, b]);
    const grads = (f: () => Tensor) =>
      tidy(() => {
        for (const t of [x, w, b]) t.grad?.data.fill(0);
        const y = f();
        y.backward(Tensor.full(y.shape, 0.3));
        return [y.toArray(), ...[x, w, b].map((t) => t.grad!.toArray())];
      });
    const fused = grads(() => linear(x, w, b));
    const composed = grads(() => add(matmul(x, w), b));
    fused.forEach((values, i) => {
      assert.ok(
        values.every((v, j) => Object.is(v, composed[i]![j])),
        `output/gradient ${i} differs`,
      );
    });
  }
  assert.throws(() => tidy(() => linear(p([2, 5], 11), w, b)), /do not fit/);
});

test('elementwise ops and broadcasting bias gradients', () => {
  const a = p([4, 6], 10);
  const b = p([4, 6], 11);
  const bias = p([6], 12);
  gradCheck(() => add(a, bias), [a, bias]);
  gradCheck(() => sub(a, b), [a, b]);
  gradCheck(() => mul(a, b), [a, b]);
  gradCheck(() => mul(a, bias), [a, bias]);
  gradCheck(() => scale(a, -2.5), [a]);
  gradCheck(() => tanh(a), [a]);
  gradCheck(() => sigmoid(a), [a]);
  gradCheck(() => gelu(a), [a]);
  // relu is not differentiable at 0; keep values away from it.
  const r = p([30], 13);
  for (let i = 0; i < r.size; i++) if (Math.abs(r.data[i]!) < 0.05) r.data[i] = 0.5;
  gradCheck(() => relu(r), [r]);
});

test('gelu is the tanh approximation (torch approximate="tanh" values)', () => {
  tidy(() => {
    const y = gelu(Tensor.from([-3, -1, 0, 0.5, 2]));
    // torch.nn.functional.gelu(x, approximate='tanh')
    const expected = [-0.0036373, -0.158808, 0, 0.345714, 1.9545977];
    y.data.forEach((v, i) => {
      assert.ok(Math.abs(v - expected[i]!) < 1e-5, `${v} vs ${expected[i]}`);
    });
  });
});

test('layerNorm forward matches a float64 reference and its gradients check', () => {
  const x = p([5, 12], 20, 2);
  const g = p([12], 21);
  const b = p([12], 22);
  tidy(() => {
    const y = layerNorm(x, g, b).data;
    for (let r = 0; r < 5; r++) {
      const row = Array.from(x.data.subarray(r * 12, r * 12 + 12));
      const mu = row.reduce((s, v) => s + v, 0) / 12;
      const variance = row.reduce((s, v) => s + (v - mu) ** 2, 0) / 12;
      row.forEach((v, c) => {
        const ref = ((v - mu) / Math.sqrt(variance + 1e-5)) * g.data[c]! + b.data[c]!;
        assert.ok(Math.abs(ref - y[r * 12 + c]!) < 1e-5);
      });
    }
  });
  gradCheck(() => layerNorm(x, g, b), [x, g, b]);
});

test('softmax over the last axis, with temperature', () => {
  const x = p([3, 7], 30);
  gradCheck(() => softmax(x), [x]);
  gradCheck(() => softmax(x, 2.5), [x]);
});

test('cross-entropy with hard labels matches float64 and its gradient checks', () => {
  const logits = p([6, 11], 40, 3);
  const labels = [0, 10, 3, 3, 7, 1];
  tidy(() => {
    let ref = 0;
    for (let r = 0; r < 6; r++) {
      const row = Array.from(logits.data.subarray(r * 11, r * 11 + 11));
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      ref += (lse - row[labels[r]!]!) / 6;
    }
    assert.ok(Math.abs(crossEntropy(logits, labels).item() - ref) < 1e-5);
  });
  gradCheck(() => crossEntropy(logits, labels), [logits]);
  // Ignored rows (−1) drop out of loss and mean.
  tidy(() => {
    const full = crossEntropy(logits, labels).item();
    const partial = crossEntropy(logits, [0, 10, 3, -1, -1, -1]).item();
    const firstThree = tidy(() => crossEntropy(slice(logits, 0, 0, 3), [0, 10, 3]).item());
    assert.ok(Math.abs(partial - firstThree) < 1e-6);
    assert.notEqual(full, partial);
  });
  assert.throws(() => tidy(() => crossEntropy(logits, [0, 11, 0, 0, 0, 0])), /label 11 outside \[0, 11\)/);
});

test('a loss seeded with 1 hands its gradient buffer to the logits: same values as the accumulating path, no leak, one backward', () => {
  const heap = engine().heap;
  const before = heap.liveBytes();
  const w = p([5, 7], 41);
  const grads = [1, 2].map((factor) =>
    tidy(() => {
      const logits = matmul(Tensor.full([3, 5], 0.3), w);
      // factor 2 seeds the loss node with 2: the accumulating path (axpy of the kernel's gradient).
      const loss = factor === 1 ? crossEntropy(logits, [0, 6, 2]) : scale(crossEntropy(logits, [0, 6, 2]), 2);
      loss.backward();
      const g = Array.from(logits.grad!.data, (v) => v * (2 / factor));
      if (factor === 1) assert.throws(() => loss.backward(), /backward ran twice/);
      return g;
    }),
  );
  assert.deepEqual(grads[0], grads[1]);
  w.free();
  assert.equal(heap.liveBytes(), before);
});

test('cross-entropy with soft targets and per-row weights', () => {
  const logits = p([4, 9], 50, 2);
  const weights = Tensor.from([1, 0.5, 2, 0], [4]);
  const rng = new Rng(51);
  const probs = Tensor.from(
    Array.from({ length: 36 }, () => rng.next()),
    [4, 9],
  );
  for (let r = 0; r < 4; r++) {
    const row = probs.data.subarray(r * 9, r * 9 + 9);
    const s = row.reduce((a, v) => a + v, 0);
    row.forEach((v, i) => {
      row[i] = v / s;
    });
  }
  tidy(() => {
    let ref = 0;
    let wsum = 0;
    for (let r = 0; r < 4; r++) {
      const row = Array.from(logits.data.subarray(r * 9, r * 9 + 9));
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      const ce = row.reduce((s, v, c) => s + probs.data[r * 9 + c]! * (lse - v), 0);
      ref += weights.data[r]! * ce;
      wsum += weights.data[r]!;
    }
    assert.ok(Math.abs(crossEntropy(logits, probs, { weights }).item() - ref / wsum) < 1e-5);
  });
  gradCheck(() => crossEntropy(logits, probs), [logits]);
  gradCheck(() => crossEntropy(logits, probs, { weights }), [logits]);
  // A one-hot target distribution equals the hard-label loss.
  tidy(() => {
    const onehot = Tensor.zeros([4, 9]);
    [2, 0, 8, 5].forEach((c, r) => {
      onehot.data[r * 9 + c] = 1;
    });
    assert.ok(
      Math.abs(crossEntropy(logits, onehot).item() - crossEntropy(logits, [2, 0, 8, 5]).item()) < 1e-6,
    );
  });
  weights.free();
  probs.free();
});

test('KL(p_ref ‖ p) with temperature: torch batchmean value, correct non-zero gradient, zero at p = p_ref', () => {
  const logits = p([3, 8], 60, 2);
  const refLogits = p([3, 8], 61, 2);
  for (const temperature of [1, 2]) {
    const ref = noGrad(() => softmax(refLogits, temperature));
    tidy(() => {
      let expected = 0;
      for (let r = 0; r < 3; r++) {
        const z = Array.from(logits.data.subarray(r * 8, r * 8 + 8), (v) => v / temperature);
        const m = Math.max(...z);
        const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
        for (let c = 0; c < 8; c++) {
          const q = ref.data[r * 8 + c]!;
          expected += (q * (Math.log(q) - (z[c]! - lse))) / 3;
        }
      }
      const kl = klDivergence(logits, ref, { temperature });
      assert.ok(Math.abs(kl.item() - expected) < 1e-5, `${kl.item()} vs ${expected}`);
      kl.backward();
      let norm = 0;
      for (const g of logits.grad!.data) norm += g * g;
      assert.ok(norm > 1e-6, 'KL gradient vanished although p ≠ p_ref');
    });
    gradCheck(() => klDivergence(logits, ref, { temperature }), [logits]);
    // At p = p_ref the loss and its gradient are zero.
    tidy(() => {
      const same = noGrad(() => softmax(logits, temperature));
      logits.grad!.data.fill(0);
      const kl = klDivergence(logits, same, { temperature });
      assert.ok(Math.abs(kl.item()) < 1e-6);
      kl.backward();
      for (const g of logits.grad!.data) assert.ok(Math.abs(g) < 1e-6);
    });
    ref.free();
  }
});

test('embedding lookup, bag mean, segment sums and weighted edge aggregation', () => {
  const table = p([10, 5], 70);
  gradCheck(() => embedding(table, [3, 3, 0, 9, 3]), [table]);
  gradCheck(() => embeddingBagMean(table, [1, 4, 4, 7, 2], [0, 0, 1, 1, 1], 3), [table]);
  tidy(() => {
    const bag = embeddingBagMean(table, [1, 4, 7], [0, 0, 1], 3).data;
    for (let c = 0; c < 5; c++) {
      assert.ok(Math.abs(bag[c]! - (table.data[5 + c]! + table.data[20 + c]!) / 2) < 1e-6);
      assert.ok(Math.abs(bag[5 + c]! - table.data[35 + c]!) < 1e-6);
      assert.equal(bag[10 + c], 0);
    }
  });
  const x = p([6, 4], 71);
  const w = p([7], 72);
  const src = [0, 1, 5, 5, 2, 3, 0];
  const dst = [1, 1, 0, 2, 2, 2, 3];
  gradCheck(() => aggregateEdges(x, src, dst, 4, w), [x, w]);
  gradCheck(() => aggregateEdges(x, src, dst, 4), [x]);
  gradCheck(() => segmentSum(x, [0, 0, 2, 1, 2, 2], 3), [x]);
  gradCheck(() => segmentMean(x, [0, 0, 2, 1, 2, 2], 3), [x]);
  assert.throws(() => tidy(() => embedding(table, [10])), /index 10 outside \[0, 10\)/);
});

test('concat, slice, column gather, reshape, sums and means', () => {
  const a = p([2, 3, 4], 80);
  const b = p([2, 1, 4], 81);
  gradCheck(() => concat([a, b], 1), [a, b]);
  gradCheck(() => concat([a, a], -1), [a]);
  gradCheck(() => slice(a, 2, 1, 3), [a]);
  const logits = p([3, 6], 82);
  gradCheck(() => gatherColumns(logits, [5, 0, 2, 2]), [logits]);
  tidy(() => {
    const picked = gatherColumns(logits, [5, 0]).data;
    assert.deepEqual(Array.from(picked.subarray(0, 2)), [logits.data[5], logits.data[0]]);
  });
  gradCheck(() => a.reshape([6, 4]), [a]);
  gradCheck(() => permute(a, [2, 0, 1]), [a]);
  tidy(() => {
    // [2, 3, 4] → [4, 2, 3]: out[k, i, j] = a[i, j, k].
    const t = permute(a, [2, 0, 1]);
    assert.deepEqual(t.shape, [4, 2, 3]);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        for (let k = 0; k < 4; k++) assert.equal(t.data[k * 6 + i * 3 + j], a.data[i * 12 + j * 4 + k]);
      }
    }
  });
  gradCheck(() => sum(a), [a]);
  gradCheck(() => mean(a), [a]);
  gradCheck(() => sumAxis(a, 0), [a]);
  gradCheck(() => meanAxis(a, 1), [a]);
  tidy(() => {
    const c = concat([a, b], 1);
    assert.deepEqual(c.shape, [2, 4, 4]);
    assert.deepEqual(Array.from(slice(c, 1, 3, 4).data), Array.from(b.data));
  });
});

test('masked attention pooling', () => {
  const scores = p([3, 4], 90);
  const values = p([3, 4, 5], 91);
  const mask = [1, 1, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0];
  gradCheck(() => maskedAttentionPool(scores, values, mask), [scores, values]);
  tidy(() => {
    const out = maskedAttentionPool(scores, values, mask).data;
    // Row 1 has one unmasked position: the output is that value row; row 2 has none: zeros.
    for (let j = 0; j < 5; j++) {
      assert.ok(Math.abs(out[5 + j]! - values.data[(1 * 4 + 1) * 5 + j]!) < 1e-6);
      assert.equal(out[10 + j], 0);
    }
  });
});

test('dropout: seeded mask, inverted scaling, identity in eval', () => {
  const x = p([1000], 100);
  tidy(() => {
    const y1 = dropout(x, 0.3, new Rng(5));
    const y2 = dropout(x, 0.3, new Rng(5));
    assert.deepEqual(Array.from(y1.data), Array.from(y2.data));
    let zeros = 0;
    y1.data.forEach((v, i) => {
      if (v === 0) zeros++;
      else assert.ok(Math.abs(v - x.data[i]! / 0.7) < 1e-5);
    });
    assert.ok(zeros > 240 && zeros < 360, `${zeros} zeros`);
    assert.equal(dropout(x, 0.3, new Rng(5), false), x);
  });
  gradCheck(() => dropout(x, 0.3, new Rng(7)), [x], { maxPerInput: 50 });
});

test('tidy frees everything a step allocates', () => {
  const heap = engine().heap;
  const w = p([8, 8], 110);
  const before = heap.liveBytes();
  for (let i = 0; i < 3; i++) {
    tidy(() => {
      const x = Tensor.full([4, 8], 0.1);
      const loss = crossEntropy(relu(matmul(x, w)), [0, 1, 2, 3]);
      loss.backward();
    });
  }
  // Only w's persistent gradient is new.
  assert.equal(heap.liveBytes(), before + 8 * 8 * 4);
});

test('keep() lets a tensor and its gradient outlive tidy()', () => {
  const w = p([3], 120);
  const kept = tidy(() => {
    const y = keep(scale(w, 2));
    y.gradBuffer().data.fill(5);
    return y;
  });
  assert.deepEqual(
    Array.from(kept.data),
    Array.from(w.data, (v) => Math.fround(v * 2)),
  );
  assert.deepEqual(Array.from(kept.grad!.data), [5, 5, 5]);
  kept.free();
  assert.throws(() => tidy(() => scale(w, 2)), /returned tensor would be freed/);
});
