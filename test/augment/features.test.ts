import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  FEATURE_COUNT,
  FEATURE_NAMES,
  FEATURE_SETS,
  type FeatureName,
  GenreLexicon,
  KgLinks,
  PairFeaturizer,
  SemanticSpace,
} from '../../src/augment/features/index.js';
import { itemTexts } from '../../src/augment/retrieve.js';
import { RetrieveConfigSchema } from '../../src/config/augment.js';
import { buildCatalog, buildKg } from '../../src/data/catalog.js';
import type { Dataset, RecContext } from '../../src/data/types.js';
import { TfidfLsaEmbedder } from '../../src/providers/builtin/tfidf-lsa-embedder.js';

// A hand-made catalog: three films, three genres, four people; relations as in INSPIRED (star, director, genre).
const ENTITIES = [
  'Alien (1979)',
  'Aliens (1986)',
  'The Notebook (2004)',
  'horror',
  'sci-fi',
  'romance',
  'Sigourney Weaver',
  'Ridley Scott',
  'James Cameron',
  'Ryan Gosling',
];
const id = (name: string) => ENTITIES.indexOf(name);
const RELATIONS = { star: 0, director: 1, genre: 2 };
const INFOS = [
  {
    name: 'Alien (1979)',
    genre: ['horror', 'sci-fi'],
    star: ['Sigourney Weaver'],
    director: ['Ridley Scott'],
    plot: 'A spaceship crew meets a deadly creature.',
  },
  {
    name: 'Aliens (1986)',
    genre: ['sci-fi'],
    star: ['Sigourney Weaver'],
    director: ['James Cameron'],
    plot: 'Marines fight creatures on a distant moon.',
  },
  {
    name: 'The Notebook (2004)',
    genre: ['romance'],
    star: ['Ryan Gosling'],
    director: [],
    plot: 'A summer love story told years later.',
  },
];

function tinyDataset(): Dataset {
  const catalog = buildCatalog(
    Object.fromEntries(ENTITIES.map((n, i) => [n, i])),
    [0, 1, 2],
    {},
    INFOS.map((record) => ({ record })),
    'tiny',
  );
  const triples: Record<string, [number, number][]> = {};
  INFOS.forEach((info, item) => {
    triples[item] = [
      ...info.genre.map((g): [number, number] => [RELATIONS.genre, id(g)]),
      ...info.star.map((s): [number, number] => [RELATIONS.star, id(s)]),
      ...info.director.map((d): [number, number] => [RELATIONS.director, id(d)]),
    ];
  });
  return {
    name: 'tiny',
    description: 'hand-made',
    dir: '',
    catalog,
    kg: buildKg(RELATIONS, triples, ENTITIES.length, 'tiny'),
    splits: {},
  };
}

const context = (utterances: string[], entities: string[]): RecContext => ({
  dialogId: 'd1',
  turnId: utterances.length,
  utterances,
  entities: entities.map(id),
  gold: [],
  goldEntities: [],
  recNames: [],
});

describe('KG links', () => {
  test('counts direct links and links shared with mentioned films, by relation', () => {
    const dataset = tinyDataset();
    const kg = new KgLinks(dataset.catalog, dataset.kg);
    // The user named Sigourney Weaver and Alien; the candidate is Aliens (sci-fi, Weaver, Cameron).
    const counts = kg.count([id('Sigourney Weaver'), id('Alien (1979)')], 1);
    assert.equal(counts.direct.star, 1);
    assert.equal(counts.direct.genre, 0);
    assert.equal(counts.viaMentionedItems.genre, 1); // sci-fi, shared with Alien
    assert.equal(counts.viaMentionedItems.star, 1); // Weaver, shared with Alien
    assert.equal(counts.viaMentionedItems.director, 0); // Scott vs Cameron
    assert.deepEqual(counts.itemNeighbours, { genre: 1, star: 1, director: 1, writer: 0, other: 0 });
    // A film is not linked to itself through its own mention.
    assert.equal(kg.count([id('Alien (1979)')], 0).viaMentionedItems.genre, 0);
  });

  test('IDF overlap: a neighbour shared by fewer items weighs more; scoreAll sums the same weights', () => {
    const dataset = tinyDataset();
    const kg = new KgLinks(dataset.catalog, dataset.kg);
    const idf = (items: number) => Math.log(3 / items);
    // Alien named: its neighbours horror (1 item), sci-fi (2), Weaver (2), Scott (1) form the profile.
    const profile = kg.profile([id('Alien (1979)')]);
    assert.deepEqual(
      [...profile].sort(),
      [id('horror'), id('sci-fi'), id('Sigourney Weaver'), id('Ridley Scott')].sort(),
    );
    const aliens = kg.idfOverlap(profile, 1);
    assert.ok(Math.abs(aliens.shared.genre - idf(2)) < 1e-12); // sci-fi
    assert.ok(Math.abs(aliens.shared.star - idf(2)) < 1e-12); // Weaver
    assert.equal(aliens.shared.director, 0); // Cameron is not Scott
    assert.ok(Math.abs(aliens.total.director - idf(1)) < 1e-12);
    assert.deepEqual(kg.idfOverlap(profile, 2).shared, {
      genre: 0,
      star: 0,
      director: 0,
      writer: 0,
      other: 0,
    });
    const all = kg.scoreAll(profile);
    assert.ok(Math.abs(all[1]! - 2 * idf(2)) < 1e-12);
    assert.equal(all[2], 0);
    // Named people and genres are in the profile themselves.
    assert.ok(kg.profile([id('Ryan Gosling')]).has(id('Ryan Gosling')));
  });

  test("another KG's relation names map onto the groups (OpenDialKG's actor is a star)", () => {
    const dataset = tinyDataset();
    const renamed = { ...dataset.kg, relations: ['actor', 'director', 'genre'] };
    const counts = new KgLinks(dataset.catalog, renamed).count([id('Sigourney Weaver')], 1);
    assert.equal(counts.direct.star, 1);
    assert.equal(counts.itemNeighbours.other, 0);
  });
});

describe('genre cues', () => {
  const lexicon = new GenreLexicon(['horror', 'sci-fi', 'romance', 'comedy']);

  test('a genre right after a negation cue is negated; labels, aliases and plurals count as mentions', () => {
    const m = lexicon.mentions("I don't really like horror, but I love science fiction movies and comedies");
    assert.deepEqual([...m.named].sort(), ['comedy', 'horror', 'sci-fi']);
    assert.deepEqual([...m.negated], ['horror']);
  });

  test('a genre also named without a negation is not negated', () => {
    const m = lexicon.mentions(
      "Scary movies are great. I never watch romcoms. I don't mind horror, I like horror a lot",
    );
    assert.ok(m.named.has('horror') && m.named.has('romance'));
    // A rom-com is both genres, and both are disliked here.
    assert.deepEqual([...m.negated].sort(), ['comedy', 'romance']);
  });

  test('catalog genres match their aliases whatever their case (OpenDialKG: "Science Fiction", "Horror")', () => {
    const m = new GenreLexicon(['Horror', 'Science Fiction', 'Crime Fiction']).mentions(
      'something scary, or a sci fi book, maybe a detective story',
    );
    assert.deepEqual([...m.named].sort(), ['Crime Fiction', 'Horror', 'Science Fiction']);
  });

  test('a negation far before the genre does not count', () => {
    assert.equal(
      lexicon.mentions('No, I have seen it already, so maybe something with romance').negated.size,
      0,
    );
  });
});

describe('pair features', () => {
  let featurizer: PairFeaturizer;
  before(async () => {
    const dataset = tinyDataset();
    const config = RetrieveConfigSchema.parse({});
    const embedder = new TfidfLsaEmbedder(itemTexts(dataset.catalog, config), {
      dimensions: 4,
      seed: 1,
      silent: true,
      minDocumentFrequency: 1,
    });
    featurizer = PairFeaturizer.create(
      dataset,
      await SemanticSpace.create(embedder, dataset.catalog, config),
    );
  });

  const rows = async (c: RecContext, items: number[]) => {
    const values = await featurizer.featurize([{ context: c, items }]);
    assert.equal(values.length, items.length * FEATURE_COUNT);
    return items.map((_, r) => {
      const row = Object.fromEntries(FEATURE_NAMES.map((name, k) => [name, values[r * FEATURE_COUNT + k]!]));
      return row as Record<FeatureName, number>;
    });
  };

  test('genre, people and KG features follow what the user said', async () => {
    const c = context(
      [
        'Hi! I want a sci-fi movie with Sigourney Weaver, but I do not like romance',
        'Have you seen Alien?',
        'Yes, I loved Alien',
      ],
      ['sci-fi', 'Sigourney Weaver', 'Alien (1979)'],
    );
    const [aliens, notebook] = await rows(c, [1, 2]);
    assert.equal(aliens!.genre_named_share, 1);
    assert.equal(aliens!.genre_negated, 0);
    assert.equal(notebook!.genre_named_share, 1); // romance is named …
    assert.equal(notebook!.genre_negated, 1); // … only as a dislike
    assert.equal(aliens!.people_named, Math.fround(Math.log1p(1)));
    assert.equal(aliens!.kg_direct_genre, 1);
    assert.equal(aliens!.kg_direct_person, Math.fround(Math.log1p(1)));
    assert.equal(aliens!.kg_shared_genre, 1);
    assert.equal(aliens!.kg_shared_director, 0);
    assert.equal(notebook!.kg_links, 0);
    assert.equal(aliens!.genres_named_by_user, Math.fround(Math.log1p(2)));
    assert.equal(aliens!.ctx_turns, Math.fround(Math.log1p(3)));
    for (const row of [aliens!, notebook!]) for (const v of Object.values(row)) assert.ok(Number.isFinite(v));
  });

  test('a title written in the context is flagged (an unlinked repeat)', async () => {
    const [alien, notebook] = await rows(context(['I watched Alien yesterday, any ideas?'], []), [0, 2]);
    assert.equal(alien!.title_in_context, 1);
    assert.equal(alien!.title_overlap, 1);
    assert.equal(notebook!.title_in_context, 0);
  });

  test('feature sets: kg-idf adds the IDF overlap columns after the base ones; a subset is the same columns', async () => {
    const c = context(['I loved Alien, more like it please'], ['Alien (1979)']);
    const base = await featurizer.featurize([{ context: c, items: [1, 2] }]);
    const wide = await featurizer.featurize([{ context: c, items: [1, 2] }], FEATURE_SETS['kg-idf']);
    const width = FEATURE_SETS['kg-idf'].length;
    assert.equal(width, FEATURE_COUNT + 4);
    for (let r = 0; r < 2; r++)
      assert.deepEqual(
        [...wide.subarray(r * width, r * width + FEATURE_COUNT)],
        [...base.subarray(r * FEATURE_COUNT, (r + 1) * FEATURE_COUNT)],
      );
    const column = (name: FeatureName, r: number) => wide[r * width + FEATURE_SETS['kg-idf'].indexOf(name)]!;
    assert.ok(
      column('kg_idf_genre', 0) > 0 && column('kg_idf_person', 0) > 0,
      'Aliens shares sci-fi and Weaver',
    );
    assert.equal(column('kg_idf_sum', 1), 0, 'The Notebook shares nothing with Alien');
  });

  test('the retrieval rank feature is 0 for the most similar item and grows with rank', async () => {
    const values = await rows(context(['a love story, something romantic'], []), [0, 1, 2]);
    const ranks = values.map((r) => r.sem_log_rank);
    const best = values.findIndex((r) => r.sem_gap_to_best === 0);
    assert.equal(ranks[best], 0);
    for (const r of ranks) assert.ok(r >= 0 && r <= 1);
  });
});
