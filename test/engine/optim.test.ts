import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AdamW,
  clipGradNorm,
  crossEntropy,
  Embedding,
  Linear,
  learningRateFactor,
  Module,
  relu,
  Tensor,
  tidy,
} from '../../src/engine/index.js';
import { Parameter, RowSet } from '../../src/engine/parameter.js';
import { Rng } from '../../src/util/rng.js';

/** torch.optim.AdamW's update in float64, for comparison. */
function referenceAdamW(
  p: Float64Array,
  grads: Float64Array[],
  o: { lr: number; beta1: number; beta2: number; eps: number; wd: number },
): void {
  const m = new Float64Array(p.length);
  const v = new Float64Array(p.length);
  grads.forEach((g, step) => {
    const t = step + 1;
    for (let i = 0; i < p.length; i++) {
      p[i]! *= 1 - o.lr * o.wd;
      m[i] = o.beta1 * m[i]! + (1 - o.beta1) * g[i]!;
      v[i] = o.beta2 * v[i]! + (1 - o.beta2) * g[i]! * g[i]!;
      const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - o.beta2 ** t) + o.eps;
      p[i]! -= (o.lr / (1 - o.beta1 ** t)) * (m[i]! / denom);
    }
  });
}

test('AdamW matches the torch.optim.AdamW update over several steps', () => {
  const rng = new Rng(1);
  const p = new Parameter([37]);
  for (let i = 0; i < p.size; i++) p.data[i] = rng.normal();
  const start = Float64Array.from(p.data);
  const grads = [0, 1, 2].map(() => Float64Array.from({ length: 37 }, () => rng.normal()));
  const opt = new AdamW([['p', p]], { lr: 0.01, weightDecay: 0.1 });
  for (const g of grads) {
    p.gradBuffer().data.set(g);
    opt.step();
  }
  referenceAdamW(start, grads, { lr: 0.01, beta1: 0.9, beta2: 0.999, eps: 1e-8, wd: 0.1 });
  p.data.forEach((v, i) => {
    assert.ok(Math.abs(v - start[i]!) < 1e-6, `${i}: ${v} vs ${start[i]}`);
  });
  opt.free();
  p.free();
});

test('sparse embedding tables update only the rows a step touched', () => {
  class Bag extends Module {
    readonly emb = this.child('emb', new Embedding(50, 4, new Rng(2), { sparse: true }));
  }
  const model = new Bag();
  const before = Float32Array.from(model.emb.weight.data);
  const opt = new AdamW(model.namedParameters(), { lr: 0.1, weightDecay: 0.5 });
  tidy(() => {
    const loss = crossEntropy(model.emb.forward([3, 17, 3]), [0, 1, 2]);
    loss.backward();
  });
  assert.deepEqual(Array.from(model.emb.weight.touchedRows!.rows()), [3, 17]);
  opt.step();
  opt.zeroGrad();
  for (let r = 0; r < 50; r++) {
    const changed = model.emb.weight.data.subarray(r * 4, r * 4 + 4).some((v, c) => v !== before[r * 4 + c]);
    assert.equal(changed, r === 3 || r === 17, `row ${r}`);
  }
  assert.equal(model.emb.weight.touchedRows!.size, 0);
  assert.ok(model.emb.weight.grad!.data.every((g) => g === 0));
  opt.free();
  model.free();
});

test('zeroGrad clears dense gradients without a pass: the next GEMM gradient overwrites them, an untouched one reads as zeros, a scatter adds onto zeros', () => {
  class Net extends Module {
    readonly emb = this.child('emb', new Embedding(6, 4, new Rng(3)));
    readonly out = this.child('out', new Linear(4, 5, new Rng(4)));
    readonly unused = this.child('unused', new Linear(4, 5, new Rng(5)));
  }
  const model = new Net();
  const opt = new AdamW(model.namedParameters(), { lr: 0.1 });
  const gradients = () =>
    tidy(() => {
      crossEntropy(model.out.forward(model.emb.forward([1, 4, 4])), [0, 3, 2]).backward();
      return [model.out.weight, model.out.bias!, model.emb.weight].map((p) => Array.from(p.grad!.data));
    });
  const first = gradients();
  model.unused.weight.gradBuffer().data.fill(7);
  opt.zeroGrad();
  assert.deepEqual(
    gradients(),
    first,
    'the second backward wrote the same gradients, not their sum with the stale ones',
  );
  assert.ok(
    model.unused.weight.grad!.data.every((g) => g === 0),
    'a cleared gradient no op wrote reads as zeros',
  );
  assert.ok(first[0]!.some((g) => g !== 0) && first[2]!.some((g) => g !== 0));
  opt.free();
  model.free();
});

test('touched rows list in ascending order, by a sort or by a pass over the marks, and stay listed until the set changes', () => {
  for (const count of [5, 900]) {
    const set = new RowSet(1000);
    const rng = new Rng(count);
    const want = new Set<number>();
    for (let i = 0; i < count; i++) {
      const row = rng.int(1000);
      set.add(row);
      want.add(row);
    }
    const rows = set.rows();
    assert.deepEqual(
      Array.from(rows),
      [...want].sort((a, b) => a - b),
    );
    assert.equal(set.rows(), rows);
    set.add(rows[0]!);
    assert.equal(set.rows(), rows, 'adding a row already there keeps the list');
    const fresh = [...Array(1000).keys()].find((r) => !want.has(r))!;
    set.add(fresh);
    assert.ok(Array.from(set.rows()).includes(fresh));
    set.clear();
    assert.equal(set.rows().length, 0);
  }
});

test('clipGradNorm returns the global norm and scales gradients to maxNorm', () => {
  const a = new Parameter([3]);
  const b = new Parameter([2, 2], { sparse: true });
  a.gradBuffer().data.set([3, 0, 0]);
  b.gradBuffer().data.set([0, 0, 4, 0]);
  b.touchedRows!.add(1);
  assert.ok(Math.abs(clipGradNorm([a, b], 10) - 5) < 1e-6);
  assert.deepEqual(Array.from(a.grad!.data), [3, 0, 0]);
  assert.ok(Math.abs(clipGradNorm([a, b], 1) - 5) < 1e-6);
  assert.ok(Math.abs(a.grad!.data[0]! - 0.6) < 1e-6);
  assert.ok(Math.abs(b.grad!.data[2]! - 0.8) < 1e-6);
  a.free();
  b.free();
});

test('learning-rate schedule: linear warm-up, then linear or cosine decay', () => {
  const o = { warmupSteps: 4, totalSteps: 14 };
  assert.deepEqual(
    [0, 1, 3].map((s) => learningRateFactor(s, { ...o, decay: 'linear' })),
    [0.25, 0.5, 1],
  );
  assert.equal(learningRateFactor(9, { ...o, decay: 'linear' }), 0.5);
  assert.equal(learningRateFactor(14, { ...o, decay: 'linear' }), 0);
  assert.ok(Math.abs(learningRateFactor(9, { ...o, decay: 'cosine' }) - 0.5) < 1e-12);
  assert.ok(Math.abs(learningRateFactor(14, { ...o, decay: 'cosine', minFactor: 0.1 }) - 0.1) < 1e-12);
  assert.equal(learningRateFactor(100, { ...o, decay: 'constant' }), 1);
});

class Mlp extends Module {
  readonly l1;
  readonly l2;
  constructor(seed: number) {
    super();
    const rng = new Rng(seed);
    this.l1 = this.child('l1', new Linear(8, 16, rng));
    this.l2 = this.child('l2', new Linear(16, 3, rng));
  }
  forward(x: Tensor): Tensor {
    return this.l2.forward(relu(this.l1.forward(x)));
  }
}

/** Trains a small MLP on a seeded separable problem; returns the loss curve. */
function trainMlp(seed: number, steps: number): number[] {
  const rng = new Rng(seed + 1);
  const centres = Array.from({ length: 3 }, () => Array.from({ length: 8 }, () => 2 * rng.normal()));
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < 48; i++) {
    const c = i % 3;
    ys.push(c);
    for (const v of centres[c]!) xs.push(v + 0.5 * rng.normal());
  }
  const model = new Mlp(seed);
  const opt = new AdamW(model.namedParameters(), { lr: 0.02, noDecay: (name) => name.endsWith('bias') });
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    losses.push(
      tidy(() => {
        opt.zeroGrad();
        const loss = crossEntropy(model.forward(Tensor.from(xs, [48, 8])), ys);
        loss.backward();
        clipGradNorm(model.parameters(), 5);
        opt.step(learningRateFactor(s, { warmupSteps: 5, totalSteps: steps, decay: 'cosine' }));
        return loss.item();
      }),
    );
  }
  opt.free();
  model.free();
  return losses;
}

test('a frozen module records no graph and gets no gradients', () => {
  const model = new Mlp(9).setRequiresGrad(false);
  tidy(() => {
    const out = model.forward(Tensor.full([2, 8], 0.5));
    assert.equal(out.requiresGrad, false);
    assert.equal(out.node, null);
  });
  assert.ok(model.parameters().every((p) => p.grad === null));
  model.free();
});

test('a seeded MLP trains (loss falls) and the run is reproducible', () => {
  const a = trainMlp(3, 60);
  const b = trainMlp(3, 60);
  assert.deepEqual(a, b);
  assert.ok(a[a.length - 1]! < 0.1 * a[0]!, `loss ${a[0]} → ${a[a.length - 1]}`);
});

test('AdamW.loadState restores moments and step so the next update equals an uninterrupted one', () => {
  const rng = new Rng(3);
  const grads = [0, 1, 2].map(() => Float32Array.from({ length: 8 }, () => rng.normal()));
  const init = Float32Array.from({ length: 8 }, () => rng.normal());
  const run = (restart: boolean) => {
    const p = new Parameter([8]);
    p.data.set(init);
    let opt = new AdamW([['p', p]], { lr: 0.05, weightDecay: 0.01 });
    grads.forEach((g, step) => {
      if (restart && step === 2) {
        const saved = new Map([...opt.state()].map(([k, v]) => [k, { data: Float32Array.from(v.data) }]));
        opt.free();
        opt = new AdamW([['p', p]], { lr: 0.05, weightDecay: 0.01 });
        opt.loadState(saved, 'memory');
      }
      p.gradBuffer().data.set(g);
      opt.step();
    });
    const out = Float32Array.from(p.data);
    assert.throws(() => opt.loadState(new Map(), 'ckpt.safetensors'), /ckpt\.safetensors: optimizer state/);
    opt.free();
    p.free();
    return out;
  };
  assert.deepEqual(run(true), run(false));
});
