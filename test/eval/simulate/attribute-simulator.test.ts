import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { loadDataset } from '../../../src/data/index.js';
import type { Dataset } from '../../../src/data/types.js';
import { rankContexts } from '../../../src/eval/evaluate.js';
import { evaluateRankings } from '../../../src/eval/protocol.js';
import { AttributeSimulator } from '../../../src/eval/simulate/attribute-simulator.js';
import {
  recommenderUtterance,
  withRecommenderTurn,
  withUserTurn,
} from '../../../src/eval/simulate/dialogue.js';
import { CatalogLinker } from '../../../src/eval/simulate/entity-links.js';
import {
  type SimulationResult,
  simulateDialogues,
  simulationContexts,
} from '../../../src/eval/simulate/run.js';
import { TargetAttributes } from '../../../src/eval/simulate/target-attributes.js';
import { createPopularity } from '../../../src/models/popularity.js';
import { asRecommender } from '../../../src/models/trainable.js';
import type { Recommender } from '../../../src/models/types.js';
import { loadModel } from '../../../src/train/checkpoint.js';
import { runTraining } from '../../../src/train/run.js';
import { tempDir, tinyConfig, withTrainSubset } from '../../train/helpers.js';

const options = { turns: 5, ks: [1, 10, 50], topK: 100, concurrency: 8, silent: true };
let inspired: Dataset;
let redial: Dataset;
before(async () => {
  inspired = await loadDataset('inspired', { splits: ['train', 'valid', 'test'] });
  // The shared ReDial copy has no train split; popularity then counts valid labels.
  redial = await loadDataset('redial', { splits: ['valid', 'test'] });
});

const simulate = (dataset: Dataset, recommender: Recommender, seed: number, extra = {}) =>
  simulateDialogues(
    recommender,
    dataset.splits.test!.contexts,
    dataset.catalog,
    new AttributeSimulator(dataset, { seed }),
    {
      ...options,
      ...extra,
    },
  );

/** A text as space-separated lower-case words, padded, so a title is found as whole words only. */
const words = (text: string) =>
  ` ${text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()} `;

function assertNoTitle(dataset: Dataset, result: SimulationResult): number {
  let utterances = 0;
  for (const transcript of result.transcripts) {
    const titles = transcript.targets.map((name) => words(name.replace(/\s*\(\d{4}\)\s*$/, '')));
    for (const turn of transcript.turns) {
      if (turn.user === undefined) continue;
      utterances++;
      const said = words(turn.user);
      for (const title of titles)
        assert.ok(!said.includes(title), `${dataset.name}: "${turn.user}" names ${title}`);
    }
  }
  return utterances;
}

test('identical transcripts for a seed; another seed words them differently', async () => {
  const popularity = createPopularity(inspired);
  const first = await simulate(inspired, popularity, 7);
  const again = await simulate(inspired, popularity, 7);
  assert.deepEqual(again.transcripts, first.transcripts);
  assert.deepEqual(again.successByTurn, first.successByTurn);
  const other = await simulate(inspired, popularity, 8);
  const said = (r: SimulationResult) => r.transcripts.flatMap((t) => t.turns.map((turn) => turn.user ?? ''));
  assert.notDeepEqual(said(other), said(first));
  // The wording changes, the ranking at turn 1 does not.
  assert.deepEqual(other.successByTurn['10']![0], first.successByTurn['10']![0]);
});

test('never a target title, on every INSPIRED and ReDial test context; reveals are linked as entities', async () => {
  for (const dataset of [inspired, redial]) {
    const result = await simulate(dataset, createPopularity(dataset), 42);
    const withGold = dataset.splits.test!.contexts.filter((c) => c.gold.length > 0).length;
    assert.equal(result.dialogues, withGold);
    const utterances = assertNoTitle(dataset, result);
    assert.ok(utterances > withGold, `${dataset.name}: ${utterances} user turns`);
    // Each user turn reveals one attribute; a genre or person reveal reaches the CRS as a linked entity.
    const userTurns = result.transcripts.flatMap((t) => t.turns.filter((turn) => turn.user !== undefined));
    const linked = userTurns.filter((turn) => (turn.entities ?? []).length > 0).length;
    const personOrGenre = userTurns.filter(
      (turn) => !/from the \d{4}s|something else|anything else/.test(turn.user!),
    ).length;
    assert.equal(linked, personOrGenre, dataset.name);
    for (const turn of userTurns) {
      for (const name of turn.entities ?? [])
        assert.ok(words(turn.user!).includes(words(name)), `${name} in ${turn.user}`);
    }
  }
});

test('driven past the dialogue length, every simulated user of both test splits still never says a title', async () => {
  for (const dataset of [inspired, redial]) {
    const simulator = new AttributeSimulator(dataset, { seed: 42 });
    const named = 0;
    let said = 0;
    for (const context of dataset.splits.test!.contexts.filter((c) => c.gold.length > 0)) {
      const user = simulator.start(context, context.gold);
      const titles = context.gold.map((t) =>
        words(dataset.catalog.items[t]!.name.replace(/\s*\(\d{4}\)\s*$/, '')),
      );
      for (let turn = 1; turn <= 12; turn++) {
        const { text } = await user.respond({ turn, context, named });
        said++;
        for (const title of titles)
          assert.ok(!words(text).includes(title), `${dataset.name}: "${text}" names ${title}`);
      }
    }
    assert.ok(said > 0);
  }
});

test('the attribute agenda: genre, star, director, …, values from the catalog that are KG neighbours', () => {
  const attributes = new TargetAttributes(inspired.catalog, inspired.kg);
  const deadpool = inspired.catalog.itemOfEntity[inspired.catalog.entityIds.get('Deadpool (2016)')!]!;
  const of = attributes.of(deadpool);
  assert.deepEqual(
    of.genre.map((a) => a.value),
    ['sci-fi', 'action', 'adventure', 'comedy'],
  );
  assert.deepEqual(of.director[0], {
    slot: 'director',
    value: 'Tim Miller',
    entity: inspired.catalog.entityIds.get('Tim Miller'),
  });
  assert.equal(of.star[0]!.value, 'Ryan Reynolds');
  assert.deepEqual(of.decade, [{ slot: 'decade', value: '2010s', entity: -1 }]);
});

test('a simulated turn grows the context by both utterances, the named item and the linked entities', () => {
  const context = inspired.splits.test!.contexts.find((c) => c.gold.length > 0)!;
  const named = 3;
  const text = recommenderUtterance(inspired.catalog, named);
  const asked = withRecommenderTurn(context, inspired.catalog, named, text);
  const feedback = {
    text: "No, that's not it. I'd love something with Ryan Reynolds in it.",
    entities: [] as number[],
  };
  feedback.entities = new CatalogLinker(inspired.catalog).link(feedback.text);
  const grown = withUserTurn(asked, feedback);
  assert.deepEqual(grown.utterances, [...context.utterances, text, feedback.text]);
  assert.deepEqual(grown.entities, [
    ...context.entities,
    inspired.catalog.itemEntity[named]!,
    inspired.catalog.entityIds.get('Ryan Reynolds')!,
  ]);
  assert.deepEqual(
    [grown.gold, grown.dialogId, grown.turnId],
    [context.gold, context.dialogId, context.turnId],
  );
  // A context that ends on the recommender gets an empty user turn, so roles keep their parity.
  const even = withRecommenderTurn(
    { ...context, utterances: ['hi', 'hello'] },
    inspired.catalog,
    named,
    text,
  );
  assert.deepEqual(even.utterances, ['hi', 'hello', '', text]);
});

test('regression: INSPIRED types its "" rec label as a genre; "that\'s" must not link to it', () => {
  assert.deepEqual(new CatalogLinker(inspired.catalog).link("No, that's not it. Maybe comedies?"), [
    inspired.catalog.entityIds.get('comedy')!,
  ]);
});

test('a trained kbrd under the attribute simulator: success@k never falls with k or turn; turn 1 is the single-shot ranking', async () => {
  const dataset = withTrainSubset(inspired, 300);
  const dir = tempDir('simulate-kbrd');
  await runTraining(tinyConfig({ epochs: 2 }), dataset, { outDir: dir, silent: true });
  const model = await loadModel(join(dir, 'seed-42', 'best'), dataset);
  try {
    const kbrd = asRecommender(model, 'kbrd');
    const result = await simulate(dataset, kbrd, 42);
    const ks = ['1', '10', '50'];
    for (let t = 0; t < options.turns; t++) {
      for (let i = 1; i < ks.length; i++) {
        assert.ok(
          result.successByTurn[ks[i - 1]!]![t]! <= result.successByTurn[ks[i]!]![t]!,
          `k at turn ${t + 1}`,
        );
      }
      if (t > 0)
        for (const k of ks)
          assert.ok(
            result.successByTurn[k]![t - 1]! <= result.successByTurn[k]![t]!,
            `turn ${t + 1} at k=${k}`,
          );
    }
    assert.ok(result.successByTurn['50']![options.turns - 1]! > 0);
    for (const k of ks) {
      const mean = result.meanTurnsToSuccess[k];
      assert.ok(mean === null || (mean >= 1 && mean <= options.turns));
    }
    // Turn 1 ranks the logged context: success@k = share of contexts with a gold pair in the filtered top k.
    const contexts = dataset.splits.test!.contexts;
    const withGold = contexts.filter((c) => c.gold.length > 0);
    const rankings = rankContexts(kbrd, withGold, dataset.catalog.items.length, { topK: 100, silent: true });
    const { filtered } = evaluateRankings(withGold, rankings, dataset.catalog, { ks: [1], topK: 100 });
    for (const k of [1, 10, 50]) {
      const hit = new Set<number>();
      filtered.ranks.forEach((rank, i) => {
        if (rank >= 0 && rank < k) hit.add(filtered.contexts[i]!);
      });
      assert.equal(result.successByTurn[k]![0], hit.size / withGold.length, `turn 1, k=${k}`);
    }
  } finally {
    model.module.free();
  }
});

test('the simulated sample of ReDial test: seeded, contexts with a target, a smaller sample inside a larger', () => {
  const contexts = redial.splits.test!.contexts;
  const withTarget = contexts.flatMap((c, i) => (c.gold.length > 0 ? [i] : []));
  assert.equal(withTarget.length, 3102);
  assert.deepEqual(simulationContexts(contexts, 0, 42), withTarget);
  const sample = simulationContexts(contexts, 1000, 42);
  assert.equal(sample.length, 1000);
  assert.deepEqual(sample, simulationContexts(contexts, 1000, 42));
  assert.notDeepEqual(sample, simulationContexts(contexts, 1000, 43));
  assert.ok(sample.every((i) => contexts[i]!.gold.length > 0));
  const small = new Set(sample);
  assert.ok(
    simulationContexts(contexts, 100, 42).every((i) => small.has(i)),
    'the LLM sample is in the attribute one',
  );
});
