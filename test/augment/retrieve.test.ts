import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  candidatesFile,
  contextEmbeddingsBase,
  itemEmbeddingsBase,
  readCandidates,
  readEmbeddings,
} from '../../src/augment/artifacts.js';
import { TitleMatcher } from '../../src/augment/mentioned-titles.js';
import { mergeShards } from '../../src/augment/merge.js';
import { itemTexts, mentionedItems, retrieve, titleMatcherOf } from '../../src/augment/retrieve.js';
import { parseShard } from '../../src/augment/shard.js';
import { type RetrieveConfig, RetrieveConfigSchema } from '../../src/config/augment.js';
import type { Dataset } from '../../src/data/types.js';
import { TfidfLsaEmbedder } from '../../src/providers/builtin/tfidf-lsa-embedder.js';
import { loadInspiredTest } from './score-fixture.js';

let dataset: Dataset;
let embedder: TfidfLsaEmbedder;
let dir: string;
const config: RetrieveConfig = RetrieveConfigSchema.parse({ topK: 20, blockRows: 64 });

before(async () => {
  dataset = await loadInspiredTest();
  // The real offline embedder, small enough to fit in about a second (the CLI fits 256-d on items + train).
  embedder = new TfidfLsaEmbedder(itemTexts(dataset.catalog, config), {
    dimensions: 32,
    seed: 1,
    silent: true,
  });
  dir = mkdtempSync(join(tmpdir(), 'crsaug-retrieve-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (out: string, overrides: Partial<RetrieveConfig> = {}, shard?: string) =>
  retrieve({
    dataset,
    splits: ['test'],
    model: embedder,
    config: { ...config, ...overrides },
    outDir: join(dir, out),
    shard: shard ? parseShard(shard) : undefined,
    silent: true,
  });

describe('retrieve on INSPIRED with the builtin embedder', () => {
  test('exact top-K by inner product, equal to a brute-force float64 reference, context items excluded', async () => {
    const summary = await run('main');
    const contexts = dataset.splits.test!.contexts;
    assert.equal(summary.splits[0]!.contexts + summary.splits[0]!.emptyContexts, contexts.length);
    const records = await readCandidates(candidatesFile(join(dir, 'main'), 'test'));
    const items = readEmbeddings(itemEmbeddingsBase(join(dir, 'main')));
    const queries = readEmbeddings(contextEmbeddingsBase(join(dir, 'main'), 'test'));
    assert.equal(items.index.rows, dataset.catalog.items.length);
    assert.equal(queries.index.rows, records.length);
    const byKey = new Map(contexts.map((c) => [`${c.dialogId}#${c.turnId}`, c]));
    const indexOf = new Map(dataset.catalog.items.map((item, i) => [item.name, i]));
    const matcher = titleMatcherOf(dataset.catalog);
    const dims = items.index.dims;
    let titleExclusions = 0;
    for (const [row, record] of records.entries()) {
      assert.deepEqual(queries.index.keys[row], { dialog_id: record.dialog_id, turn_id: record.turn_id });
      const context = byKey.get(`${record.dialog_id}#${record.turn_id}`)!;
      const { byEntity, byTitle } = mentionedItems(context, dataset.catalog, matcher);
      titleExclusions += byTitle.size;
      const q = queries.matrix.subarray(row * dims, (row + 1) * dims);
      const reference = dataset.catalog.items
        .map((_, i) => {
          let s = 0;
          for (let d = 0; d < dims; d++) s += q[d]! * items.matrix[i * dims + d]!;
          return { i, s };
        })
        .filter(({ i }) => !byEntity.has(i) && !byTitle.has(i))
        .sort((a, b) => b.s - a.s || a.i - b.i);
      assert.equal(record.candidates.length, 20);
      for (const [r, candidate] of record.candidates.entries()) {
        const item = indexOf.get(candidate.item)!;
        assert.ok(
          !byEntity.has(item) && !byTitle.has(item),
          `${candidate.item} is mentioned in ${record.dialog_id}`,
        );
        assert.equal(candidate.rank, r + 1);
        // Same similarity at every rank (float32 GEMM vs float64 sums may swap exact near-ties only).
        assert.ok(
          Math.abs(candidate.sim - reference[r]!.s) < 1e-5,
          `rank ${r + 1}: ${candidate.sim} vs ${reference[r]!.s}`,
        );
        const own = reference.find((x) => x.i === item)!;
        assert.ok(Math.abs(own.s - candidate.sim) < 1e-5);
      }
    }
    // Gold recall as reported equals the share of gold items found in the written candidates.
    let gold = 0;
    let found = 0;
    for (const record of records) {
      const context = byKey.get(`${record.dialog_id}#${record.turn_id}`)!;
      const names = new Set(record.candidates.map((c) => c.item));
      gold += context.gold.length;
      found += context.gold.filter((g) => names.has(dataset.catalog.items[g]!.name)).length;
    }
    assert.ok(gold > 0);
    assert.equal(summary.splits[0]!.goldRecall, found / gold);
    // The title rule is on by default and does exclude something on INSPIRED.
    assert.ok(titleExclusions > 0);
    assert.ok(summary.splits[0]!.meanExcludedByTitles > 0);
  });

  test('deterministic: another run with other block sizes writes the same bytes', async () => {
    await run('again', { blockRows: 7 });
    const a = readFileSync(candidatesFile(join(dir, 'main'), 'test'), 'utf8');
    const b = readFileSync(candidatesFile(join(dir, 'again'), 'test'), 'utf8');
    assert.equal(a, b);
  });

  test('without the title rule, only linked entities are excluded', async () => {
    const summary = await run('no-titles', { excludeMentionedTitles: false });
    assert.equal(summary.splits[0]!.meanExcludedByTitles, 0);
    const withTitles = await readCandidates(candidatesFile(join(dir, 'main'), 'test'));
    const without = await readCandidates(candidatesFile(join(dir, 'no-titles'), 'test'));
    assert.notDeepEqual(withTitles, without);
  });

  test('shards 1/3..3/3 partition the contexts, and merge rebuilds the unsharded files', async () => {
    const out = join(dir, 'sharded');
    let contexts = 0;
    for (const shard of ['1/3', '2/3', '3/3'])
      contexts += (await run('sharded', {}, shard)).splits[0]!.contexts;
    const whole = await readCandidates(candidatesFile(join(dir, 'main'), 'test'));
    assert.equal(contexts, whole.length);
    const merged = await mergeShards(out);
    assert.deepEqual(
      merged.merged.map((m) => [m.output.slice(out.length + 1), m.records]),
      [
        ['test.candidates.jsonl', whole.length],
        ['test.contexts.f32', whole.length],
      ],
    );
    const mergedRecords = await readCandidates(candidatesFile(out, 'test'));
    const key = (r: { dialog_id: string; turn_id: number }) => `${r.dialog_id}#${r.turn_id}`;
    const sortByKey = <T extends { dialog_id: string; turn_id: number }>(rs: T[]) =>
      [...rs].sort((a, b) => a.dialog_id.localeCompare(b.dialog_id) || a.turn_id - b.turn_id);
    assert.deepEqual(mergedRecords, sortByKey(whole));
    // Embedding rows follow their keys.
    const mergedEmb = readEmbeddings(contextEmbeddingsBase(out, 'test'));
    const wholeEmb = readEmbeddings(contextEmbeddingsBase(join(dir, 'main'), 'test'));
    const rowOf = new Map(wholeEmb.index.keys.map((k, i) => [JSON.stringify(k), i]));
    const dims = wholeEmb.index.dims;
    for (const [i, k] of mergedEmb.index.keys.entries()) {
      const j = rowOf.get(JSON.stringify(k))!;
      assert.deepEqual(
        mergedEmb.matrix.subarray(i * dims, (i + 1) * dims),
        wholeEmb.matrix.subarray(j * dims, (j + 1) * dims),
      );
    }
    assert.ok(whole.every((r) => mergedRecords.some((m) => key(m) === key(r))));
  });

  test('an incomplete shard set is an error naming the missing shard', async () => {
    const out = join(dir, 'incomplete');
    await run('incomplete', {}, '2/2');
    await assert.rejects(mergeShards(out), /shard\(s\) 1 of 2 missing/);
  });
});

describe('titles written in the dialogue', () => {
  const matcher = new TitleMatcher(
    [
      'Bad Boys (1995)',
      'Bad Boys for Life (2020)',
      'Good (2008)',
      'Rush (2013)',
      'Morgan (2016)',
      'Romantic Comedy (1983)',
      'Saving Private Ryan (1998)',
    ],
    ['Morgan Freeman'],
  );
  const names = (text: string) => [...matcher.find(text)].sort();
  test('longer titles win, sentence-initial and lowercase common words do not count', () => {
    assert.deepEqual(names('I just saw Bad Boys for Life.'), [1]);
    assert.deepEqual(names('Good evening! I liked Rush a lot'), [3]);
    assert.deepEqual(names('I rush home to watch a romantic comedy'), []);
    assert.deepEqual(names('something with Morgan in it'), []);
    assert.deepEqual(names('loved saving private ryan and Bad Boys'), [0, 6]);
  });

  test('mask removes exactly the matched titles (the longer one where titles nest), keeping the rest', () => {
    assert.equal(matcher.mask('I just saw Bad Boys for Life. Good evening!'), 'I just saw . Good evening!');
    assert.equal(matcher.mask('loved saving private ryan and Bad Boys', '_'), 'loved _ and _');
    assert.equal(
      matcher.mask('I rush home to watch a romantic comedy'),
      'I rush home to watch a romantic comedy',
    );
  });
});
