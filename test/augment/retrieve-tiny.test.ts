import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  candidatesFile,
  itemEmbeddingsBase,
  readCandidates,
  readEmbeddings,
} from '../../src/augment/artifacts.js';
import { TitleMatcher } from '../../src/augment/mentioned-titles.js';
import {
  contextQueries,
  itemTexts,
  LexicalKgRankings,
  mentionedItems,
  retrieve,
  titleMatcherOf,
} from '../../src/augment/retrieve.js';
import { inShard as shardContains } from '../../src/augment/shard.js';
import { type RetrieveConfig, RetrieveConfigSchema } from '../../src/config/augment.js';
import type { Catalog, Dataset, RecContext } from '../../src/data/types.js';
import type { EmbeddingModel, EmbedRequest } from '../../src/providers/types.js';
import { e, tinyCatalog, tinyContext, tinyDataset } from '../eval/tiny-dataset.js';
import { stderrOf } from '../stderr.js';

// Retrieval on a hand-made catalog with an embedder whose vectors are known, so exclusions, averages and
// progress can be checked exactly (retrieve.test.ts runs the real builtin embedder on INSPIRED).

const TITLES = ['Rush (2013)', 'Morgan (2016)', 'Se7en (1995)', 'Heat (1995)', 'Alien (1979)', 'Jaws (1975)'];

/** tinyCatalog with real-looking titles; Se7en stars Morgan Freeman. */
function titledCatalog(): Catalog {
  const catalog = tinyCatalog(TITLES.length);
  const items = catalog.items.map((item, i) => ({
    ...item,
    name: TITLES[i]!,
    stars: i === 2 ? ['Morgan Freeman'] : [],
  }));
  const entityNames = catalog.entityNames.map((n, id) => {
    const item = catalog.itemOfEntity[id]!;
    return item >= 0 ? TITLES[item]! : n;
  });
  return { ...catalog, items, entityNames, entityIds: new Map(entityNames.map((n, id) => [n, id])) };
}

function withUtterances(context: RecContext, utterances: string[]): RecContext {
  return { ...context, utterances };
}

/** Vectors from the text: [length, count of 'e', 1]; item and context vectors may differ in length. */
class CountingEmbedder implements EmbeddingModel {
  readonly provider = 'test';
  readonly modelId = 'counting';
  readonly maxEmbeddingsPerCall = 2;
  readonly supportsParallelCalls = false;
  constructor(private readonly contextDims = 3) {}
  describe(): string {
    return 'test: counting embedder';
  }
  async doEmbed({ values }: EmbedRequest) {
    return {
      embeddings: values.map((v) => {
        const full = [v.length, [...v].filter((c) => c === 'e').length, 1];
        return Float32Array.from(
          v.startsWith('User') || v.startsWith('Q:') ? full.slice(0, this.contextDims) : full,
        );
      }),
    };
  }
}

const config = (over: Partial<RetrieveConfig> = {}): RetrieveConfig => ({
  ...RetrieveConfigSchema.parse({ topK: 3, itemTemplate: '{name}' }),
  ...over,
});

function dataset(): Dataset {
  const catalog = titledCatalog();
  const contexts = [
    // Links item 0 and a genre; writes "Heat" (item 3) and "Rush" (item 0, already linked) in its text.
    withUtterances(tinyContext('a', 1, [e(0), 2], [e(4)]), ['I loved Rush', 'Have you seen Heat then?']),
    // Links nothing; "Morgan" is part of a star's name, not the film; gold item 5.
    withUtterances(tinyContext('b', 1, [], [e(5)]), ['Anything with Morgan Freeman please']),
    // No text at all: left out.
    withUtterances(tinyContext('c', 1, [], [e(1)]), ['  ', '']),
  ];
  return { ...tinyDataset(TITLES.length, { test: contexts }), catalog };
}

test('mentioned items: linked entities that are items (index 0 included), and titles in the text not already linked', () => {
  const ds = dataset();
  const [a, b] = ds.splits.test!.contexts;
  const titles = titleMatcherOf(ds.catalog);
  assert.deepEqual(mentionedItems(a!, ds.catalog, titles), { byEntity: new Set([0]), byTitle: new Set([3]) });
  assert.deepEqual(mentionedItems(a!, ds.catalog, undefined), { byEntity: new Set([0]), byTitle: new Set() });
  assert.deepEqual(mentionedItems(b!, ds.catalog, titles), { byEntity: new Set(), byTitle: new Set() });
  // Utterances are separate lines: the last word of one and the first of the next are not one word.
  const joined = withUtterances(b!, ['We saw Rush', 'and Heat']);
  assert.deepEqual(mentionedItems(joined, ds.catalog, titles).byTitle, new Set([0, 3]));
  // An entity id past the catalog's entities (e.g. from another KG version) is simply not an item.
  const beyond = tinyContext('z', 1, [999, e(2)], []);
  assert.deepEqual(mentionedItems(beyond, ds.catalog, undefined).byEntity, new Set([2]));
  // Without the catalog's person names, "Morgan" would be taken for the film.
  assert.deepEqual(
    [...new TitleMatcher(ds.catalog.items.map((i) => i.name)).find('with Morgan Freeman')],
    [1],
  );
});

test('context queries: the shard’s contexts with text, wrapped in the query prefix and suffix; empty ones counted', () => {
  const ds = dataset();
  const q = contextQueries(ds, 'test', config({ queryPrefix: 'Q: ', querySuffix: ' <end>' }));
  assert.deepEqual(
    q.contexts.map((c) => c.dialogId),
    ['a', 'b'],
  );
  assert.deepEqual(q.texts, [
    'Q: User: I loved Rush\nRecommender: Have you seen Heat then? <end>',
    'Q: User: Anything with Morgan Freeman please <end>',
  ]);
  assert.equal(q.emptyContexts, 1);
  assert.throws(
    () => contextQueries(ds, 'valid', config()),
    /^CrsaugError: split "valid" was not loaded for tiny$/,
  );
});

test('an unknown placeholder in the item template names the config field', () => {
  assert.throws(
    () => itemTexts(titledCatalog(), config({ itemTemplate: '{name} {budget}' })),
    /unknown placeholder \{budget\} in augment\.retrieve\.itemTemplate/,
  );
});

test('retrieve: summary averages and gold recall, embeddings headers, progress counts; silent prints nothing', async () => {
  const ds = dataset();
  const out = mkdtempSync(join(tmpdir(), 'crsaug-retrieve-tiny-'));
  const { value: summary, text: stderr } = await stderrOf(() =>
    retrieve({
      dataset: ds,
      splits: ['test'],
      model: new CountingEmbedder(),
      config: config(),
      outDir: out,
    }),
  );
  assert.match(stderr, /^embed items: 6\/6 texts in /m);
  assert.match(stderr, /^embed test contexts: 2\/2 texts in /m);
  assert.match(stderr, /^retrieve test: 2\/2 contexts in /m);
  const [split] = summary.splits;
  assert.equal(split!.contexts, 2);
  assert.equal(split!.emptyContexts, 1);
  // a: 1 linked item + 1 title; b: none.
  assert.equal(split!.meanExcludedByEntities, 1 / 2);
  assert.equal(split!.meanExcludedByTitles, 1 / 2);
  const records = await readCandidates(candidatesFile(out, 'test'));
  const found = records.filter((r, i) => r.candidates.some((c) => c.item === TITLES[[4, 5][i]!]));
  // Over every (context, gold) pair of the split: c has no text, so no candidates, and its gold counts unfound.
  assert.equal(split!.goldRecall, found.length / 3);
  assert.ok(records[0]!.candidates.every((c) => c.item !== TITLES[0] && c.item !== TITLES[3]));
  const items = readEmbeddings(itemEmbeddingsBase(out));
  assert.equal(items.index.modelId, 'test:counting');
  assert.equal(items.index.model, 'test: counting embedder');

  const quiet = await stderrOf(() =>
    retrieve({
      dataset: ds,
      splits: ['test'],
      model: new CountingEmbedder(),
      config: config(),
      outDir: out,
      silent: true,
    }),
  );
  assert.equal(quiet.text, '');
});

test('retrieve: no gold items gives a gold recall of 0; contexts embedded in another size than items are refused', async () => {
  const ds = dataset();
  const noGold = {
    ...ds,
    splits: {
      test: { ...ds.splits.test!, contexts: ds.splits.test!.contexts.map((c) => ({ ...c, gold: [] })) },
    },
  };
  const out = mkdtempSync(join(tmpdir(), 'crsaug-retrieve-tiny-'));
  const summary = await retrieve({
    dataset: noGold,
    splits: ['test'],
    model: new CountingEmbedder(),
    config: config(),
    outDir: out,
    silent: true,
  });
  assert.equal(summary.splits[0]!.goldRecall, 0);
  await assert.rejects(
    retrieve({
      dataset: ds,
      splits: ['test'],
      model: new CountingEmbedder(2),
      config: config(),
      outDir: out,
      silent: true,
    }),
    /^CrsaugError: test: counting embedder gave 2-d contexts but 3-d items$/,
  );
});

// The hybrid pool on a catalog whose plots and KG are known: every fused score below is worked out by hand.
function hybridDataset(): Dataset {
  const base = tinyDataset(6, { test: [] });
  const plots = [
    'alien horror on a ship with a long dark corridor and a crew',
    'sharks off the coast',
    'alien comedy',
    'alien court drama in a town',
    'war drama',
    'romance in paris',
  ];
  const catalog = {
    ...base.catalog,
    items: base.catalog.items.map((item, i) => ({ ...item, plot: plots[i]! })),
  };
  // Director entity 1 directed items 3 and 4; entity 2 (a star) plays in items 0, 4 and 5.
  const edges: Array<[item: number, entity: number, relation: number]> = [
    [3, 1, 0],
    [4, 1, 0],
    [4, 2, 1],
    [0, 2, 1],
    [5, 2, 1],
  ];
  const kg = {
    relations: ['director', 'star'],
    heads: Int32Array.from(edges, ([item]) => e(item)),
    relationIds: Int32Array.from(edges, ([, , relation]) => relation),
    tails: Int32Array.from(edges, ([, entity]) => entity),
  };
  return { ...base, catalog, kg };
}

test('hybrid pool: reciprocal-rank fusion of the semantic row, BM25 of the latest user turns and the KG overlap', () => {
  const ds = hybridDataset();
  // User turns (even positions): "paris" only in the first of four, so outside the latest three; the
  // recommender's "sharks" is not the user's; "war" only finds item 4, which is excluded. The turns are
  // separate lines: "alien" ends one and begins the next.
  const context = withUtterances(tinyContext('h', 1, [1, e(4)], [e(3)]), [
    'a romance in paris',
    'sharks?',
    'an alien',
    'ok',
    'alien',
    'sure',
    'a war story',
  ]);
  const excluded = { byEntity: new Set([4]), byTitle: new Set([1]) };
  const semantic = { items: Int32Array.of(1, 5, 0, 2), sims: Float32Array.of(0.9, 0.8, 0.7, 0.6) };
  const rankings = new LexicalKgRankings(ds);
  const fused = rankings.fuse(context, semantic, excluded, { topK: 3, depth: 2, rrfK: 1 });
  // Semantic, its first 2 entries: item 1 is excluded, item 5 is rank 1 (1/2).
  // BM25 of "alien" (the latest three user turns): items 2, 3, 0 by length; the first two count: 2 → 1/2, 3 → 1/3.
  // KG: the profile is entity 1 and item 4's neighbours (1, 2); item 4 (excluded) would lead, then 3
  // (idf log 3) → 1/2 and 0 (log 2, tied with 5, lower index first) → 1/3.
  // Fused: 3 = 1/3 + 1/2, 2 = 1/2, 5 = 1/2, 0 = 1/3; the top 3, ties by item index.
  assert.deepEqual([...fused.items], [3, 2, 5]);
  assert.deepEqual([...fused.sims], [...Float32Array.of(5 / 6, 1 / 2, 1 / 2)]);
  // Deeper rankings let more in: semantic 5, 0 (its first 3 entries hold one excluded item); BM25 2, 3, 0;
  // KG 3, 0, 5; each rank r adding 1 / (1 + r).
  const deep = rankings.fuse(context, semantic, excluded, { topK: 10, depth: 3, rrfK: 1 });
  assert.deepEqual([...deep.items], [0, 3, 5, 2]);
  assert.deepEqual(
    [...deep.sims],
    [...Float32Array.of(1 / 3 + 1 / 4 + 1 / 3, 1 / 3 + 1 / 2, 1 / 2 + 1 / 4, 1 / 2)],
  );
  // Deeper than every ranking: semantic 5, 0, 2; BM25 and KG only their positive scores (2, 3, 0 and 3, 0, 5),
  // the items that match nothing are no rank of theirs. 2 and 5 tie at 3/4: the lower index first.
  const all = rankings.fuse(context, semantic, excluded, { topK: 10, depth: 10, rrfK: 1 });
  assert.deepEqual([...all.items], [0, 3, 2, 5]);
  assert.deepEqual(
    [...all.sims],
    [...Float32Array.of(1 / 3 + 1 / 4 + 1 / 3, 1 / 3 + 1 / 2, 1 / 4 + 1 / 2, 1 / 2 + 1 / 4)],
  );
});

test('retrieve with the hybrid pool fuses each context’s semantic top-depth row, never a mentioned item', async () => {
  const ds = hybridDataset();
  const contexts = [
    withUtterances(tinyContext('h1', 1, [1, e(4)], [e(3)]), ['an alien film', 'ok', 'alien']),
    withUtterances(tinyContext('h2', 1, [2], [e(5)]), ['sharks or a drama']),
  ];
  const dataset = { ...ds, splits: tinyDataset(6, { test: contexts }).splits };
  const out = mkdtempSync(join(tmpdir(), 'crsaug-retrieve-hybrid-'));
  const run = (over: Partial<RetrieveConfig>) =>
    retrieve({
      dataset,
      splits: ['test'],
      model: new CountingEmbedder(),
      config: config({ excludeMentionedTitles: false, ...over }),
      outDir: join(out, over.pool ?? 'semantic'),
      silent: true,
    });
  const hybrid = { depth: 5, rrfK: 2 };
  // The semantic ranking as deep as the hybrid pool reads it (deeper than its topK of 2).
  await run({ topK: 5 });
  const semantic = await readCandidates(candidatesFile(join(out, 'semantic'), 'test'));
  const summary = await run({ pool: 'hybrid', topK: 2, hybrid });
  const written = await readCandidates(candidatesFile(join(out, 'hybrid'), 'test'));
  const itemOf = (name: string) => dataset.catalog.items.findIndex((it) => it.name === name);
  const rankings = new LexicalKgRankings(dataset);
  const expected = contexts.map((context, i) => {
    const items = Int32Array.from(semantic[i]!.candidates, (c) => itemOf(c.item));
    const row = { items, sims: new Float32Array(items.length) };
    return rankings.fuse(context, row, mentionedItems(context, dataset.catalog, undefined), {
      topK: 2,
      ...hybrid,
    });
  });
  assert.deepEqual(
    written.map((r) => r.candidates.map((c) => [itemOf(c.item), c.rank, c.sim])),
    expected.map((row) => Array.from(row.items, (item, r) => [item, r + 1, Number(row.sims[r]!.toFixed(6))])),
  );
  assert.ok(written[0]!.candidates.every((c) => itemOf(c.item) !== 4));
  // The gold recall is over the fused pools.
  const found = written.filter((r, i) => r.candidates.some((c) => itemOf(c.item) === contexts[i]!.gold[0]));
  assert.equal(summary.splits[0]!.goldRecall, found.length / 2);
});

test('retrieve: progress counts each block once; a shard’s gold recall is over its own contexts; a split with no text embeds nothing', async () => {
  const ds = dataset();
  const out = mkdtempSync(join(tmpdir(), 'crsaug-retrieve-tiny-'));
  const blocks = await stderrOf(() =>
    retrieve({
      dataset: ds,
      splits: ['test'],
      model: new CountingEmbedder(),
      config: config({ blockRows: 1 }),
      outDir: out,
    }),
  );
  assert.match(blocks.text, /^retrieve test: 2\/2 contexts in /m);

  // Ten contexts with text, each with a gold item; topK covers the catalog, so every gold is found.
  const contexts = Array.from({ length: 10 }, (_, i) =>
    withUtterances(tinyContext(`d${i}`, 1, [], [e(i % 6)]), [`Something like film ${i}`]),
  );
  const shardOf = { ...ds, splits: tinyDataset(6, { test: contexts }).splits };
  const shard = { index: 1, count: 2 };
  const summary = await retrieve({
    dataset: shardOf,
    splits: ['test'],
    model: new CountingEmbedder(),
    config: config({ topK: 6, excludeMentionedTitles: false }),
    outDir: out,
    shard,
    silent: true,
  });
  const inShard = contexts.filter((c) => shardContains(c.dialogId, c.turnId, shard)).length;
  assert.ok(inShard > 0 && inShard < 10, `${inShard} of 10 contexts in shard 1/2`);
  assert.equal(summary.splits[0]!.contexts, inShard);
  assert.equal(summary.splits[0]!.goldRecall, 1);

  // Only the empty context: no query vectors (0-d), which is no size mismatch with the items.
  const empty = { ...ds, splits: tinyDataset(6, { test: [ds.splits.test!.contexts[2]!] }).splits };
  const none = await retrieve({
    dataset: empty,
    splits: ['test'],
    model: new CountingEmbedder(),
    config: config(),
    outDir: out,
    silent: true,
  });
  assert.deepEqual(
    [none.splits[0]!.contexts, none.splits[0]!.emptyContexts, none.splits[0]!.goldRecall],
    [0, 1, 0],
  );
  assert.deepEqual(await readCandidates(candidatesFile(out, 'test')), []);
});
