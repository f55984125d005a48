// Issue 4a: exact top-50 retrieval for every ReDial context against every item, our engine GEMM + heap
// (src/augment/topk.ts) vs numpy argpartition and torch.topk on the same vectors, in the same run.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineInnerProducts, releaseEngineItems, topKInnerProduct } from '../../src/augment/topk.js';
import { RetrieveConfigSchema } from '../../src/config/augment.js';
import { PACKAGE_ROOT, resolveDataDir } from '../../src/config/paths.js';
import { loadDataset } from '../../src/data/index.js';
import { configureEngine, engine } from '../../src/engine/index.js';
import { DEFAULT_LSA_DIMENSIONS } from '../../src/providers/builtin/tfidf-lsa.js';
import { Rng } from '../../src/util/rng.js';
import { type PythonStack, runPython } from '../machine.js';
import { table } from '../report.js';

const K = 50;
/** The builtin TF-IDF/LSA embedder's vector length. */
const DIMS = DEFAULT_LSA_DIMENSIONS;

function unitRows(rows: number, dims: number, rng: Rng): Float32Array {
  const out = new Float32Array(rows * dims);
  for (let r = 0; r < rows; r++) {
    let norm = 0;
    for (let d = 0; d < dims; d++) {
      const x = rng.normal();
      out[r * dims + d] = x;
      norm += x * x;
    }
    const inv = 1 / Math.sqrt(norm);
    for (let d = 0; d < dims; d++) out[r * dims + d]! *= inv;
  }
  return out;
}

/** Share of our top-K sets that equal the reference's (order inside ties aside). */
function sameSets(ours: Int32Array[], theirs: Int32Array, k: number): number {
  let same = 0;
  ours.forEach((row, r) => {
    const want = new Set(theirs.subarray(r * k, (r + 1) * k));
    if (row.every((item) => want.has(item))) same++;
  });
  return same / ours.length;
}

export async function retrieval(python: PythonStack): Promise<string> {
  const dataset = await loadDataset('redial', { dataDir: resolveDataDir(undefined).dir });
  const splits = Object.values(dataset.splits);
  const queries = splits.reduce((s, split) => s + split.contexts.length, 0);
  const items = dataset.catalog.items.length;
  const { blockRows } = RetrieveConfigSchema.parse({});
  const rng = new Rng(7);
  const q = unitRows(queries, DIMS, rng);
  const it = unitRows(items, DIMS, rng);
  const threads = engine().threads;
  const run = () => topKInnerProduct(q, queries, it, items, DIMS, { k: K, blockRows });
  run(); // warm-up: kernels compiled, workers started
  const start = performance.now();
  const ours = run().map((row) => row.items);
  const oursMs = performance.now() - start;
  // The same blocks through the GEMM alone, to split our time into products and selection.
  const gemmStart = performance.now();
  for (let at = 0; at < queries; at += blockRows) {
    const rows = Math.min(blockRows, queries - at);
    engineInnerProducts(q.subarray(at * DIMS, (at + rows) * DIMS), rows, it, items, DIMS);
  }
  releaseEngineItems();
  const gemmMs = performance.now() - gemmStart;
  configureEngine({ threads: 1 });
  const start1 = performance.now();
  run();
  const ours1Ms = performance.now() - start1;
  configureEngine({ threads: 0 });
  const perSecond = (ms: number) => (queries / (ms / 1000)).toFixed(0);
  const rows: Array<Array<string | number>> = [
    [
      `ours: engine GEMM (${threads} threads) + size-K heap`,
      oursMs.toFixed(0),
      perSecond(oursMs),
      '1.00',
      '–',
    ],
    [`  of which the GEMM alone (${threads} threads)`, gemmMs.toFixed(0), '–', '–', '–'],
    [
      'ours: engine GEMM (1 thread) + size-K heap',
      ours1Ms.toFixed(0),
      perSecond(ours1Ms),
      (oursMs / ours1Ms).toFixed(2),
      '–',
    ],
  ];
  let note = '';
  if (python.unavailable) note = `${python.unavailable}.`;
  else {
    const dir = mkdtempSync(join(tmpdir(), 'crsaug-bench-topk-'));
    try {
      writeFileSync(join(dir, 'queries.f32'), q);
      writeFileSync(join(dir, 'items.f32'), it);
      const out = runPython(join(PACKAGE_ROOT, 'bench', 'augment', 'retrieval_topk.py'), [
        dir,
        ...[queries, items, DIMS, K, blockRows].map(String),
      ]);
      const t = JSON.parse(out.trim().split('\n').pop()!) as {
        numpy_ms: number;
        torch_ms: number;
        torch_threads: number;
      };
      const read = (name: string) => new Int32Array(readFileSync(join(dir, name)).buffer.slice(0));
      rows.push([
        'numpy matmul + argpartition + sort of the K',
        t.numpy_ms.toFixed(0),
        perSecond(t.numpy_ms),
        (oursMs / t.numpy_ms).toFixed(2),
        `${(sameSets(ours, read('numpy.i32'), K) * 100).toFixed(2)} %`,
      ]);
      rows.push([
        `torch matmul + torch.topk (torch threads ${t.torch_threads})`,
        t.torch_ms.toFixed(0),
        perSecond(t.torch_ms),
        (oursMs / t.torch_ms).toFixed(2),
        `${(sameSets(ours, read('torch.i32'), K) * 100).toFixed(2)} %`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return [
    `${queries} ReDial contexts (${splits.map((s) => `${s.name} ${s.contexts.length}`).join(', ')}) × ${items} items, ` +
      `random unit vectors of ${DIMS} dims (seeded), exact top-${K} by inner product, blocks of ${blockRows} queries; ` +
      'one timed pass after a warm-up pass. Ratio: our 2-thread time ÷ this method’s time (target ≤ 1.0: ours at least as fast).',
    '',
    table(
      ['method', 'ms (all queries)', 'queries/s', 'ours (2 threads) ÷ this', 'same top-K set as ours'],
      rows,
    ),
    ...(note ? ['', note] : []),
  ].join('\n');
}
