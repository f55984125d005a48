import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  FEATURE_COUNT,
  FEATURE_NAMES,
  PairFeaturizer,
  SemanticSpace,
} from '../../src/augment/features/index.js';
import { bareTitle, foldedTokens, phraseStarts } from '../../src/augment/features/text.js';
import { contextQueries, itemDocuments, itemTexts } from '../../src/augment/retrieve.js';
import { RetrieveConfigSchema } from '../../src/config/augment.js';
import type { Dataset } from '../../src/data/types.js';
import { TfidfLsaEmbedder } from '../../src/providers/builtin/tfidf-lsa-embedder.js';
import { embedMany } from '../../src/providers/embed-many.js';
import { loadInspiredTest } from './score-fixture.js';

// The fast paths of the featurizer (one GEMM for all similarities, ranks by binary search, phrase matches
// asked only when their first word occurs) against the plain computation, on real INSPIRED contexts.
const config = RetrieveConfigSchema.parse({});
const CONTEXTS = 12;
let dataset: Dataset;
let embedder: TfidfLsaEmbedder;
let featurizer: PairFeaturizer;

before(async () => {
  dataset = await loadInspiredTest();
  embedder = new TfidfLsaEmbedder(itemTexts(dataset.catalog, config), {
    dimensions: 64,
    seed: 1,
    silent: true,
  });
  featurizer = PairFeaturizer.create(dataset, await SemanticSpace.create(embedder, dataset.catalog, config));
});

const column = (name: (typeof FEATURE_NAMES)[number]) => FEATURE_NAMES.indexOf(name);

function normalised(block: Float32Array, dims: number, row: number): Float64Array {
  const v = Float64Array.from(block.subarray(row * dims, (row + 1) * dims));
  const norm = Math.hypot(...v);
  return v.map((x) => (norm > 0 ? x / norm : 0));
}

test('pair features on real INSPIRED contexts equal the plain float64 / linear-scan computation', async () => {
  const queries = contextQueries(dataset, 'test', config);
  const contexts = queries.contexts.slice(0, CONTEXTS);
  const n = dataset.catalog.items.length;
  const sims = await featurizer.similarities(contexts);
  // The top 50 by similarity, plus items spread over the catalog (many with no lexical match at all).
  const requests = contexts.map((context, r) => {
    const top = [...sims[r]!.context.keys()].sort((a, b) => sims[r]!.context[b]! - sims[r]!.context[a]!);
    return {
      context,
      items: [...new Set([...top.slice(0, 50), ...Array.from({ length: 10 }, (_, i) => (i * 97) % n)])],
    };
  });
  const features = await featurizer.featurize(requests);

  const items = await embedMany(embedder, itemDocuments(dataset.catalog, config));
  const contextVectors = await embedMany(embedder, queries.texts.slice(0, CONTEXTS));
  let row = 0;
  let semChecked = 0;
  for (const [r, { context, items: wanted }] of requests.entries()) {
    const q = normalised(contextVectors.embeddings, contextVectors.dimensions, r);
    const tokens = foldedTokens(context.utterances.join('\n'));
    for (const item of wanted) {
      const at = (name: (typeof FEATURE_NAMES)[number]) => features[row * FEATURE_COUNT + column(name)]!;
      const v = normalised(items.embeddings, items.dimensions, item);
      const cosine = q.reduce((s, x, k) => s + x * v[k]!, 0);
      assert.ok(Math.abs(at('sem_sim') - cosine) < 1e-5, `sem_sim ${at('sem_sim')} vs float64 ${cosine}`);
      semChecked++;
      const own = sims[r]!.context;
      let better = 0;
      for (const s of own) if (s > own[item]!) better++;
      assert.equal(at('sem_log_rank'), Math.fround(Math.log1p(better) / Math.log1p(n)));
      const info = dataset.catalog.items[item]!;
      const title = foldedTokens(bareTitle(info));
      assert.equal(at('title_in_context'), phraseStarts(tokens, title).length > 0 ? 1 : 0);
      const people = [...new Set([...info.stars, ...info.directors, ...info.writers])].map(foldedTokens);
      const named = people.filter((p) => phraseStarts(tokens, p).length > 0).length;
      assert.equal(at('people_named'), Math.fround(Math.log1p(named)));
      row++;
    }
  }
  assert.equal(row * FEATURE_COUNT, features.length);
  assert.ok(semChecked >= CONTEXTS * 50);
  // The sample exercises the phrase features, not only their zero case.
  const hits = (name: (typeof FEATURE_NAMES)[number]) =>
    Array.from({ length: row }, (_, i) => features[i * FEATURE_COUNT + column(name)]!).filter((x) => x > 0)
      .length;
  assert.ok(hits('people_named') + hits('title_in_context') > 0);
});
