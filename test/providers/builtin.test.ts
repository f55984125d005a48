import assert from 'node:assert/strict';
import { test } from 'node:test';
import { symmetricEigen } from '../../src/providers/builtin/dense.js';
import { truncatedSvd } from '../../src/providers/builtin/randomized-svd.js';
import { TfidfVectorizer } from '../../src/providers/builtin/tfidf.js';
import { TfidfLsaEmbedder } from '../../src/providers/builtin/tfidf-lsa-embedder.js';
import { terms } from '../../src/providers/builtin/tokenize.js';
import { embedMany } from '../../src/providers/embed-many.js';
import { Rng } from '../../src/util/rng.js';
import { inspiredTexts } from './inspired-texts.js';

test('terms are content-word unigrams plus neighbouring bigrams', () => {
  assert.deepEqual(terms("I'd love a Scary movie, like The Shining!"), [
    'love',
    'scary',
    'movie',
    'like',
    'shining',
    'love scary',
    'scary movie',
    'movie like',
    'like shining',
  ]);
});

test('TF-IDF uses sublinear tf, smoothed idf and unit rows', () => {
  const vectorizer = TfidfVectorizer.fit(['horror horror horror film', 'comedy film', 'horror comedy'], {
    minDocumentFrequency: 1,
  });
  const x = vectorizer.transform(['horror horror horror film']);
  const weight = (term: string) => {
    const id = vectorizer.vocabulary.get(term)!;
    for (let p = x.rowStart[0]!; p < x.rowStart[1]!; p++) if (x.columns[p] === id) return x.values[p]!;
    return 0;
  };
  const idf2of3 = Math.log(4 / 3) + 1;
  const idf1of3 = Math.log(4 / 2) + 1;
  const raw = {
    horror: (1 + Math.log(3)) * idf2of3,
    film: idf2of3,
    'horror horror': (1 + Math.log(2)) * idf1of3,
  };
  const norm = Math.hypot(raw.horror, raw.film, raw['horror horror'], idf1of3);
  assert.ok(Math.abs(weight('horror') - raw.horror / norm) < 1e-12);
  assert.ok(Math.abs(weight('horror horror') - raw['horror horror'] / norm) < 1e-12);
  assert.equal(weight('comedy'), 0);
});

test('the symmetric eigen-solver reconstructs A·V = V·Λ with orthonormal V, values descending', () => {
  const rng = new Rng(3);
  const n = 40;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  }
  const { values, vectors } = symmetricEigen(a, n);
  for (let c = 0; c < n; c++) {
    if (c > 0) assert.ok(values[c - 1]! >= values[c]!);
    for (let i = 0; i < n; i++) {
      let av = 0;
      for (let k = 0; k < n; k++) av += a[i * n + k]! * vectors[k * n + c]!;
      assert.ok(Math.abs(av - values[c]! * vectors[i * n + c]!) < 1e-10);
    }
  }
});

test('the randomized SVD finds the singular values of a sparse low-rank-plus-noise matrix', () => {
  // X = 30×50 with rank-3 structure plus small noise; its exact singular values come from eig(XᵀX).
  const rng = new Rng(11);
  const rows = 30;
  const cols = 50;
  const dense = new Float64Array(rows * cols);
  const factors = [3, 2, 1];
  const u = factors.map(() => Array.from({ length: rows }, () => rng.normal()));
  const v = factors.map(() => Array.from({ length: cols }, () => rng.normal()));
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let s = 0.01 * rng.normal();
      factors.forEach((f, r) => {
        s += f * u[r]![i]! * v[r]![j]!;
      });
      dense[i * cols + j] = s;
    }
  }
  const rowStart = Int32Array.from({ length: rows + 1 }, (_, i) => i * cols);
  const columns = Int32Array.from({ length: rows * cols }, (_, p) => p % cols);
  const svd = truncatedSvd({ rows, cols, rowStart, columns, values: dense }, { rank: 3, seed: 1 });
  const xtx = new Float64Array(cols * cols);
  for (let i = 0; i < rows; i++) {
    for (let a = 0; a < cols; a++) {
      for (let b = 0; b < cols; b++) xtx[a * cols + b]! += dense[i * cols + a]! * dense[i * cols + b]!;
    }
  }
  const exact = symmetricEigen(xtx, cols).values.subarray(0, 3).map(Math.sqrt);
  for (let k = 0; k < 3; k++) {
    assert.ok(
      Math.abs(svd.singularValues[k]! - exact[k]!) / exact[k]! < 1e-6,
      `σ${k} ${svd.singularValues[k]} vs ${exact[k]}`,
    );
  }
});

test('builtin tfidf-lsa on INSPIRED: honest name, unit vectors, deterministic, and far better than chance', async (t) => {
  const data = inspiredTexts();
  const train = data.split('train').map((c) => c.context.join(' '));
  const fitTexts = [...data.itemTexts, ...train];
  const embedder = new TfidfLsaEmbedder(fitTexts, { dimensions: 64, seed: 7, silent: true });
  assert.match(
    embedder.describe(),
    /^builtin:tfidf-lsa \(offline lexical embedder, not a neural model: .* 64-d, fit on 3157 texts\)$/,
  );
  assert.equal((await embedder.fit()).dimensions, 64);

  const items = await embedMany(embedder, data.itemTexts);
  for (let i = 0; i < items.rows; i += 97) {
    const row = items.embeddings.subarray(i * 64, (i + 1) * 64);
    assert.ok(Math.abs(Math.hypot(...row) - 1) < 1e-5);
  }
  const small = () => new TfidfLsaEmbedder(fitTexts.slice(0, 300), { dimensions: 16, seed: 7, silent: true });
  const [once, twice] = [small(), small()];
  assert.equal(once.modelId, twice.modelId);
  assert.notEqual(once.modelId, embedder.modelId);
  assert.deepEqual(
    (await once.doEmbed({ values: [train[0]!] })).embeddings,
    (await twice.doEmbed({ values: [train[0]!] })).embeddings,
  );
  assert.deepEqual(
    Array.from((await embedder.doEmbed({ values: ['zzzz qqqq'] })).embeddings[0]!),
    new Array(64).fill(0),
  );

  // Recall@50 of the test split's recommended items when ranking the catalog by cosine to the context.
  const test = data.split('test');
  const contexts = await embedMany(
    embedder,
    test.map((c) => c.context.join(' ')),
  );
  const index = new Map(data.names.map((n, i) => [n, i]));
  let hits = 0;
  let total = 0;
  test.forEach((c, q) => {
    const query = contexts.embeddings.subarray(q * 64, (q + 1) * 64);
    const scores = data.names.map((_, i) => {
      let s = 0;
      for (let k = 0; k < 64; k++) s += query[k]! * items.embeddings[i * 64 + k]!;
      return s;
    });
    const top = new Set(
      scores
        .map((s, i) => [s, i] as const)
        .sort((a, b) => b[0] - a[0])
        .slice(0, 50)
        .map(([, i]) => i),
    );
    for (const name of c.rec) {
      const item = index.get(name);
      if (item === undefined) continue;
      total++;
      if (top.has(item)) hits++;
    }
  });
  const recall = hits / total;
  const chance = 50 / data.names.length;
  t.diagnostic(
    `INSPIRED test recall@50, 64-d: ${recall.toFixed(3)} over ${total} gold items (chance ${chance.toFixed(3)})`,
  );
  assert.ok(recall > 3 * chance, `recall@50 ${recall.toFixed(3)} vs chance ${chance.toFixed(3)}`);

  // A genre query should pull items of that genre.
  const [horrorQuery] = (await embedder.doEmbed({ values: ['I want a really scary horror movie'] }))
    .embeddings;
  const ranked = data.names
    .map((_, i) => {
      let s = 0;
      for (let k = 0; k < 64; k++) s += horrorQuery![k]! * items.embeddings[i * 64 + k]!;
      return [s, i] as const;
    })
    .sort((a, b) => b[0] - a[0])
    .slice(0, 10);
  const horror = ranked.filter(([, i]) => data.genres[i]!.includes('horror')).length;
  t.diagnostic(`horror items among the top 10 for a horror request: ${horror}`);
  assert.ok(horror >= 6, `${horror} of the top 10 are horror`);
});
