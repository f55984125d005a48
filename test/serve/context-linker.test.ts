import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveDataDir } from '../../src/config/paths.js';
import { loadDataset } from '../../src/data/index.js';
import type { Dataset } from '../../src/data/types.js';
import { ContextLinker } from '../../src/serve/context-linker.js';
import { loadInspired } from '../train/helpers.js';

const names = (linker: ContextLinker, text: string) =>
  linker.link([text]).entities.map((e) => `${e.type}:${e.name}@${e.start}-${e.end}`);

test('free text links to items, people and genres as the data was linked', async () => {
  const linker = ContextLinker.create(await loadInspired());
  assert.deepEqual(names(linker, 'I loved John Wick and anything with Keanu Reeves. Some action please'), [
    'movie:John Wick (2014)@8-17',
    'person:Keanu Reeves@36-48',
    'genre:action@55-61',
  ]);
  // Full names with the year; plural genres; a title written with other punctuation; case in names.
  assert.deepEqual(names(linker, 'Knives Out (2019) or other comedies? keanu reeves'), [
    'movie:Knives Out (2019)@0-17',
    'genre:comedy@27-35',
    'person:Keanu Reeves@37-49',
  ]);
  // A one-word title counts only where it is written as a title: "Joker" mid-sentence, not "joker".
  assert.deepEqual(names(linker, 'Have you seen Joker?'), ['movie:Joker (2019)@14-19']);
  assert.deepEqual(names(linker, 'he is such a joker'), []);
  // A word that is a genre and a title stays the genre.
  assert.deepEqual(names(linker, 'I want some Action tonight'), ['genre:action@12-18']);
  // Empty and one-letter entity names never match ("it's" once linked the nameless genre).
  assert.deepEqual(names(linker, "it's a movie"), []);

  const linked = linker.link(['I liked John Wick', '', 'and Joker too']);
  assert.deepEqual(
    linked.entities.map((e) => e.utterance),
    [0, 2],
  );
  assert.equal(linked.context.entities.length, 2);
  assert.equal(linked.mentioned.size, 2, 'both movies are mentioned, so neither is recommended back');
});

/** Share of the dataset's entity mentions found, of the found ones that the dataset has, and of equal sets. */
function agreement(dataset: Dataset, linker: ContextLinker) {
  let truth = 0;
  let predicted = 0;
  let hits = 0;
  const contexts = dataset.splits.test!.contexts;
  for (const context of contexts) {
    const found = linker.link(context.utterances).context.entities;
    const want = new Map<number, number>();
    for (const e of context.entities) want.set(e, (want.get(e) ?? 0) + 1);
    const have = new Map<number, number>();
    for (const e of found) have.set(e, (have.get(e) ?? 0) + 1);
    for (const [e, n] of have) hits += Math.min(n, want.get(e) ?? 0);
    truth += context.entities.length;
    predicted += found.length;
  }
  return { recall: hits / truth, precision: hits / predicted };
}

test('on ReDial test (linked by the reference converter) the linker finds what the data links', async () => {
  const dataset = await loadDataset('redial', {
    dataDir: resolveDataDir(undefined).dir,
    splits: ['train', 'test'],
  });
  const { recall, precision } = agreement(dataset, ContextLinker.create(dataset));
  process.stdout.write(
    `ReDial test entity mentions: recall ${recall.toFixed(3)}, precision ${precision.toFixed(3)}\n`,
  );
  assert.ok(recall > 0.84, `recall ${recall}`);
  assert.ok(precision > 0.93, `precision ${precision}`);
});
