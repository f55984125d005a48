import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  AdamW,
  add,
  aggregateEdges,
  clipGradNorm,
  crossEntropy,
  Engine,
  embedding,
  engine,
  matmul,
  Parameter,
  slice,
  Tensor,
  tidy,
} from '../../src/engine/index.js';
import { Rng } from '../../src/util/rng.js';

function randomTensor(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  const t = Tensor.empty(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = rng.normal();
  return t;
}

test('GEMM on 2 threads is bit-identical to 1 thread (forward and backward shapes)', async () => {
  const e = engine();
  const threadsBefore = e.threads;
  e.setThreads(2);
  await e.ready();
  assert.equal(e.readyWorkers(), 1);
  const jobsBefore = e.workerJobs();
  try {
    for (const [m, k, n] of [
      [64, 96, 1003],
      [200, 300, 130],
      [129, 257, 65],
    ] as const) {
      for (const transB of [false, true]) {
        const results = [1, 2].map((threads) => {
          e.setThreads(threads);
          return tidy(() =>
            matmul(randomTensor([m, k], 1), randomTensor(transB ? [n, k] : [k, n], 2), { transB }).toArray(),
          );
        });
        assert.ok(
          results[0]!.every((v, i) => Object.is(v, results[1]![i])),
          `${m}x${k}x${n} transB=${transB} differs between 1 and 2 threads`,
        );
      }
    }
    assert.ok(e.workerJobs() >= jobsBefore + 6, 'the 2-thread runs really used the worker');
  } finally {
    e.setThreads(threadsBefore);
  }
});

test('batched 3-D matmul and its gradients: 2 threads split the batch, results bit-identical to 1 thread', async () => {
  const e = engine();
  const threadsBefore = e.threads;
  e.setThreads(2);
  await e.ready();
  try {
    const run = (threads: number): Float32Array[] => {
      e.setThreads(threads);
      const a = randomTensor([16, 96, 64], 3);
      const b = randomTensor([16, 96, 80], 4);
      const w = randomTensor([96, 40], 5);
      a.requiresGrad = true;
      b.requiresGrad = true;
      w.requiresGrad = true;
      const out = tidy(() => {
        const y = matmul(a, b, { transA: true });
        y.backward(Tensor.full(y.shape, 0.5));
        // A transposed batch times one shared matrix: its gradient sums over the batch in order.
        const z = matmul(a, w, { transA: true, transB: false });
        z.backward(Tensor.full(z.shape, 0.25));
        return [y.toArray(), z.toArray()];
      });
      const result = [...out, a.grad!.toArray(), b.grad!.toArray(), w.grad!.toArray()];
      for (const t of [a, b, w]) t.free();
      return result;
    };
    const jobsBefore = e.workerJobs();
    const two = run(2);
    assert.ok(e.workerJobs() > jobsBefore, 'the worker took part');
    const one = run(1);
    one.forEach((values, i) => {
      assert.ok(
        values.every((v, j) => Object.is(v, two[i]![j])),
        `output ${i} differs between 1 and 2 threads`,
      );
    });
  } finally {
    e.setThreads(threadsBefore);
  }
});

test('scatter, gather, row dots, softmax-CE, clipping and AdamW on 2 threads: bit-identical to 1 thread', async () => {
  const e = engine();
  const threadsBefore = e.threads;
  e.setThreads(2);
  await e.ready();
  const rng = new Rng(7);
  const edges = 20000;
  const src = Int32Array.from({ length: edges }, () => rng.int(3000));
  // Skewed destinations: some rows get many entries, so a row range split is uneven and order matters.
  const dst = Int32Array.from({ length: edges }, () => Math.floor(rng.next() ** 2 * 2000));
  const lookups = Int32Array.from({ length: 5000 }, () => rng.int(3000));
  const labels = Int32Array.from({ length: 64 }, () => rng.int(1000));
  try {
    // No GEMM in this step: every job the worker runs is one of the row or elementwise kernels.
    const run = (threads: number) => {
      e.setThreads(threads);
      const x = new Parameter([3000, 32]);
      const w = new Parameter([edges]);
      x.data.set(randomTensor([3000, 32], 8).data);
      w.data.set(randomTensor([edges], 9).data);
      const optimizer = new AdamW(
        [
          ['x', x],
          ['w', w],
        ],
        { lr: 0.01 },
      );
      const jobsBefore = e.workerJobs();
      const losses = [0, 1].map(() =>
        tidy(() => {
          optimizer.zeroGrad();
          const messages = aggregateEdges(x, src, dst, 2000, w);
          const looked = slice(embedding(x, lookups), 0, 0, 2000);
          const loss = crossEntropy(add(messages, looked).reshape([64, 1000]), labels);
          loss.backward();
          clipGradNorm([x, w], 0.5);
          optimizer.step();
          return loss.item();
        }),
      );
      const result = { losses, x: x.toArray(), w: w.toArray(), jobs: e.workerJobs() - jobsBefore };
      optimizer.free();
      x.free();
      w.free();
      return result;
    };
    const two = run(2);
    const one = run(1);
    assert.ok(two.jobs >= 10, `the worker took part in the row kernels (${two.jobs} jobs)`);
    assert.deepEqual(two.losses, one.losses);
    for (const key of ['x', 'w'] as const) {
      assert.ok(
        one[key].every((v, i) => Object.is(v, two[key][i])),
        `${key} after two steps differs between 1 and 2 threads`,
      );
    }
  } finally {
    e.setThreads(threadsBefore);
  }
});

test('bias gradients (column sums) split by columns on 2 threads: bit-identical to 1 thread', async () => {
  const e = engine();
  const threadsBefore = e.threads;
  e.setThreads(2);
  await e.ready();
  try {
    const run = (threads: number) => {
      e.setThreads(threads);
      const b = new Parameter([4099]);
      const jobs = e.workerJobs();
      tidy(() => add(randomTensor([64, 4099], 21), b).backward(randomTensor([64, 4099], 22)));
      const result = { grad: b.grad!.toArray(), jobs: e.workerJobs() - jobs };
      b.free();
      return result;
    };
    const two = run(2);
    const one = run(1);
    assert.ok(two.jobs >= 1, 'the worker summed its columns');
    assert.ok(
      one.grad.every((v, i) => Object.is(v, two.grad[i])),
      'bias gradient differs between 1 and 2 threads',
    );
  } finally {
    e.setThreads(threadsBefore);
  }
});

test('a separate engine with workers disposes cleanly', async () => {
  const own = new Engine({ threads: 2, maxMemoryMB: 64 });
  const a = own.heap.alloc(256 * 256 * 4);
  const c = own.heap.alloc(256 * 256 * 4);
  own.heap.f32(a, 256 * 256).fill(1);
  own.gemm({
    transA: false,
    transB: false,
    m: 256,
    n: 256,
    k: 256,
    alpha: 1,
    a,
    lda: 256,
    b: a,
    ldb: 256,
    beta: 0,
    c,
    ldc: 256,
  });
  assert.ok(own.heap.f32(c, 256 * 256).every((v) => v === 256));
  await own.dispose();
  assert.equal(own.threads, 1);
});

test('idle worker threads do not keep the process alive', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-exit-'));
  const script = join(dir, 'run.mjs');
  const engineUrl = new URL('../../src/engine/index.js', import.meta.url).href;
  writeFileSync(
    script,
    `const { engine, matmul, Tensor } = await import(${JSON.stringify(engineUrl)});
    engine().setThreads(2);
    await engine().ready();
    const a = Tensor.full([256, 256], 1);
    console.log(matmul(a, a).data[0], engine().readyWorkers());`,
  );
  const run = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20000 });
  assert.equal(run.status, 0, `exit status ${run.status}: ${run.stderr}`);
  assert.equal(run.stdout.trim(), '256 1');
});
