import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveDataDir } from '../../src/config/paths.js';
import { evaluatedContexts, loadDataset, pairsOf } from '../../src/data/index.js';
import type { Dataset, SplitName } from '../../src/data/types.js';

const dataDir = resolveDataDir(undefined).dir;

function counts(ds: Dataset, split: SplitName, removeRepeated = true) {
  const s = ds.splits[split]!;
  return {
    turns: s.contexts.length,
    pairs: pairsOf(s.contexts, ds.catalog, { removeRepeated }).length,
    contexts: evaluatedContexts(s.contexts, ds.catalog, { removeRepeated }).length,
  };
}

test('INSPIRED reproduces the reference pair counts (paper-notes §4.3, data README §5.2)', async () => {
  const ds = await loadDataset('inspired', { dataDir, splits: ['valid', 'test'] });
  assert.deepEqual(counts(ds, 'test'), { turns: 257, pairs: 161, contexts: 144 });
  assert.deepEqual(counts(ds, 'valid'), { turns: 272, pairs: 164, contexts: 158 });
  assert.equal(ds.catalog.items.length, 1096);
  assert.equal(ds.kg.heads.length, 8869);
  assert.equal(ds.catalog.entityNames.length, 4713);
});

test('INSPIRED\'s "" rec label is an evaluated pair that no item can hit', async () => {
  const ds = await loadDataset('inspired', { dataDir, splits: ['valid'] });
  const contexts = ds.splits.valid!.contexts;
  const pairs = pairsOf(contexts, ds.catalog);
  const empty = ds.catalog.entityIds.get('')!;
  assert.equal(empty, 3118);
  const nonItem = pairs.filter((p) => p.item < 0);
  assert.deepEqual(
    nonItem.map((p) => p.entity),
    [empty],
  );
  // gold holds item indices only, so it has one entry fewer than the pair count.
  assert.equal(
    contexts.reduce((n, c) => n + c.gold.length, 0),
    163,
  );
  // Unknown names (movies outside the KG) are counted, not fatal.
  assert.equal(ds.splits.valid!.unknownRecNames, 311 - 214);
});

test('ReDial valid/test reproduce the reference pair counts', async () => {
  const ds = await loadDataset('redial', { dataDir, splits: ['valid', 'test'] });
  assert.deepEqual(counts(ds, 'test'), { turns: 3341, pairs: 4036, contexts: 3102 });
  assert.deepEqual(counts(ds, 'valid'), { turns: 2716, pairs: 3318, contexts: 2568 });
  assert.equal(ds.splits.test!.dialogues, 1318);
  assert.equal(ds.splits.valid!.unknownRecNames, 0);
  assert.equal(ds.catalog.items.length, 6576);
  assert.equal(ds.kg.heads.length, 56965);
});

test('without repeated-item removal every gold found in entity2id counts', async () => {
  const ds = await loadDataset('redial', { dataDir, splits: ['valid'], removeRepeated: false });
  assert.equal(counts(ds, 'valid', false).pairs, 3595);
  assert.equal(
    ds.splits.valid!.contexts.reduce((n, c) => n + c.gold.length, 0),
    3595,
  );
});

test('a context holds ids resolved once, with the user at even utterance indices', async () => {
  const ds = await loadDataset('inspired', { dataDir, splits: ['valid'] });
  const first = ds.splits.valid!.contexts.find((c) => c.dialogId === '20191202-103716_425_live.pkl')!;
  assert.equal(first.utterances[0], ''); // the recommender spoke first
  assert.deepEqual(
    first.entities.map((e) => ds.catalog.entityNames[e]),
    ['drama'],
  );
  assert.deepEqual(
    first.gold.map((i) => ds.catalog.items[i]!.name),
    ['Full Metal Jacket (1987)'],
  );
  const item = ds.catalog.items[first.gold[0]!]!;
  assert.equal(item.year, 1987);
  assert.ok(item.stars.length > 0 && item.plot.length > 0);
});

test('OpenDialKG splits into movie and book domains by dialog id, with metadata mapped (actor → stars)', async () => {
  const all = await loadDataset('opendialkg', { dataDir, splits: ['test'] });
  const movies = await loadDataset('opendialkg-movies', { dataDir, splits: ['test'] });
  const books = await loadDataset('opendialkg-books', { dataDir, splits: ['test'] });
  assert.equal(all.splits.test!.contexts.length, 1188);
  assert.equal(movies.splits.test!.contexts.length, 753);
  assert.equal(books.splits.test!.contexts.length, 435);
  assert.equal(counts(all, 'test').pairs, 830);
  assert.ok(books.splits.test!.contexts.every((c) => Number(c.dialogId) >= 3269));
  const slumdog = all.catalog.items.find((i) => i.name === 'Slumdog Millionaire')!;
  assert.equal(slumdog.year, 2008);
  assert.ok(slumdog.stars.includes('Dev Patel'));
  assert.ok(slumdog.extra.language!.includes('Hindi Language'));
  assert.deepEqual(all.catalog.entityTypes.slice(0, 3), ['', '', '']);
});

test('a missing file names the file and how to get it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-data-'));
  try {
    cpSync(join(dataDir, 'inspired'), join(dir, 'inspired'), { recursive: true });
    rmSync(join(dir, 'inspired', 'kg.json'));
    await assert.rejects(loadDataset('inspired', { dataDir: dir }), (err: Error & { hint?: string }) => {
      assert.match(err.message, /missing file: .*inspired\/kg\.json/);
      assert.match(err.hint!, /crsaug data fetch inspired/);
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unknown dataset name lists the registry', async () => {
  await assert.rejects(loadDataset('no-such-dataset', { dataDir }), (err: Error & { hint?: string }) => {
    assert.match(err.message, /unknown dataset "no-such-dataset"/);
    assert.match(err.hint!, /inspired, redial, opendialkg/);
    return true;
  });
});
