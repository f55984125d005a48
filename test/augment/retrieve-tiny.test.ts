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
  mentionedItems,
  retrieve,
  titleMatcherOf,
} from '../../src/augment/retrieve.js';
import { type RetrieveConfig, RetrieveConfigSchema } from '../../src/config/augment.js';
import type { Catalog, Dataset, RecContext } from '../../src/data/types.js';
import type { EmbeddingModel, EmbedRequest } from '../../src/providers/types.js';
import { e, tinyCatalog, tinyContext, tinyDataset } from '../eval/tiny-dataset.js';

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
  const beyond = tinyContext('z', 1, [999, e(1)], []);
  assert.deepEqual(mentionedItems(beyond, ds.catalog, undefined).byEntity, new Set([1]));
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
  const chunks: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  let summary: Awaited<ReturnType<typeof retrieve>>;
  try {
    summary = await retrieve({
      dataset: ds,
      splits: ['test'],
      model: new CountingEmbedder(),
      config: config(),
      outDir: out,
    });
  } finally {
    process.stderr.write = write;
  }
  const stderr = chunks.join('');
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

  const quiet: string[] = [];
  process.stderr.write = ((chunk: string | Uint8Array) => {
    quiet.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    await retrieve({
      dataset: ds,
      splits: ['test'],
      model: new CountingEmbedder(),
      config: config(),
      outDir: out,
      silent: true,
    });
  } finally {
    process.stderr.write = write;
  }
  assert.equal(quiet.join(''), '');
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
