import type { Dataset, RecContext } from '../../data/types.js';
import { Bm25Index } from './bm25.js';
import { GenreLexicon } from './genre-cues.js';
import { KgLinks } from './kg-links.js';
import type { ContextSimilarities, SemanticSpace } from './semantic.js';
import {
  bareTitle,
  foldedTokens,
  itemDescription,
  phraseStarts,
  RECENT_USER_TURNS,
  userTurns,
} from './text.js';

export { GenreLexicon } from './genre-cues.js';
export { KG_RELATION_GROUPS, type KgIdfOverlap, type KgLinkCounts, KgLinks } from './kg-links.js';
export { SemanticSpace } from './semantic.js';

/**
 * The student's features, in column order, each with what it measures (docs/augment-student.md lists
 * the same text). None uses item popularity or how a judged pair was pooled.
 */
export const FEATURES = [
  ['sem_sim', 'cosine between the whole context and the item description in the embedding space'],
  [
    'sem_recent_user',
    'recency-weighted cosine between the last 3 user turns (weights 1, 1/2, 1/4) and the item',
  ],
  [
    'sem_sim_x_recent_user',
    'sem_sim × sem_recent_user (both high = the whole talk and the latest request agree)',
  ],
  ['sem_gap_to_best', 'sem_sim minus the best sem_sim over the catalog (how far from the retriever top)'],
  [
    'sem_log_rank',
    'log(1 + rank by sem_sim among all items) / log(1 + items): the retrieval rank, scaled to [0, 1]',
  ],
  ['bm25_recent_user', 'log(1 + BM25) of the last 3 user turns against the item description'],
  ['bm25_relative', 'that BM25 divided by the best BM25 over the catalog for this context'],
  ['title_overlap', 'share of the item title words (no year) that occur in the context'],
  ['title_in_context', '1 when the full title appears in the context (an unlinked repeat mention)'],
  ['genre_named_share', 'share of the item genres the user named (label or alias such as "scary")'],
  [
    'genre_negated',
    '1 when the user named one of the item genres only after a negation cue ("I don\'t like horror")',
  ],
  ['genres_named_by_user', 'log(1 + number of catalog genres the user named): how specific the request is'],
  ['people_named', 'log(1 + item people (stars, directors, writers) named in the context text)'],
  ['kg_direct_genre', 'context genre entities linked to the item / item genre count'],
  ['kg_direct_person', 'log(1 + context person entities linked to the item as star, director or writer)'],
  ['kg_shared_genre', 'item genres shared with movies the context names / item genre count'],
  ['kg_shared_star', 'item stars shared with movies the context names / item star count'],
  ['kg_shared_director', 'item directors shared with movies the context names / item director count'],
  [
    'kg_shared_writer',
    'item writers shared with movies the context names / item writer count (0 without writers)',
  ],
  ['kg_links', 'log(1 + all direct and shared KG links of any relation)'],
  ['ctx_user_words', 'log(1 + words the user wrote in the whole context)'],
  ['ctx_last_user_words', 'log(1 + words of the latest user turn)'],
  ['ctx_turns', 'log(1 + utterances in the context)'],
  ['ctx_entities', 'log(1 + distinct entities linked in the context)'],
  [
    'kg_idf_genre',
    'IDF mass of the item genres the context names or an item it names has / IDF mass of all item genres (IDF = log(items / items with that genre))',
  ],
  [
    'kg_idf_person',
    'the same for the item people (stars, directors, writers or authors): a shared director outweighs a shared star of 200 films',
  ],
  ['kg_idf_other', 'the same for the other relations of the KG (e.g. language, year)'],
  ['kg_idf_sum', 'log(1 + IDF mass of every item neighbour shared with the context)'],
] as const satisfies ReadonlyArray<readonly [string, string]>;

export type FeatureName = (typeof FEATURES)[number][0];
/** Every feature the featurizer computes, in column order. */
export const ALL_FEATURE_NAMES: readonly FeatureName[] = FEATURES.map(([name]) => name);
const IDF_FEATURES = new Set<FeatureName>(['kg_idf_genre', 'kg_idf_person', 'kg_idf_other', 'kg_idf_sum']);

/** The student's feature sets (augment.distill.features): 'base', or 'kg-idf' = base + the IDF-weighted KG overlap. */
export const FEATURE_SETS = {
  base: ALL_FEATURE_NAMES.filter((n) => !IDF_FEATURES.has(n)),
  'kg-idf': ALL_FEATURE_NAMES,
} as const satisfies Record<string, readonly FeatureName[]>;
export type FeatureSetName = keyof typeof FEATURE_SETS;

/** The base set's names and width (what a student trained before the feature sets existed was trained on). */
export const FEATURE_NAMES: readonly FeatureName[] = FEATURE_SETS.base;
export const FEATURE_COUNT = FEATURE_NAMES.length;

/** Checks that every name is a feature this version computes. */
export function isFeatureName(name: string): name is FeatureName {
  return (ALL_FEATURE_NAMES as readonly string[]).includes(name);
}

/** A context together with the items whose features are wanted. */
export interface PairRequest {
  context: RecContext;
  items: readonly number[];
}

/** What is computed once per context and shared by all its items. */
interface ContextView {
  context: RecContext;
  similarities: ContextSimilarities;
  bestSim: number;
  /** The context similarities in ascending order, so an item's rank is one binary search. */
  sortedSims: Float32Array;
  bm25: Float64Array;
  bestBm25: number;
  tokens: string[];
  tokenSet: Set<string>;
  genresNamed: Set<string>;
  genresNegated: Set<string>;
  /** The context's KG profile (named entities and the neighbours of named items), for the IDF overlap. */
  kgProfile: Set<number>;
  userWords: number;
  lastUserWords: number;
}

/**
 * Computes the feature rows of (context, item) pairs for one dataset: lexical indices (BM25 over item
 * descriptions, genre lexicon), the KG view and the embedding space are built once.
 */
export class PairFeaturizer {
  private constructor(
    readonly dataset: Dataset,
    readonly space: SemanticSpace,
    private readonly bm25: Bm25Index,
    private readonly genres: GenreLexicon,
    private readonly kg: KgLinks,
    private readonly titleTokens: string[][],
    private readonly peopleTokens: string[][][],
  ) {}

  static create(dataset: Dataset, space: SemanticSpace): PairFeaturizer {
    const items = dataset.catalog.items;
    return new PairFeaturizer(
      dataset,
      space,
      new Bm25Index(items.map(itemDescription)),
      new GenreLexicon(items.flatMap((i) => i.genres)),
      new KgLinks(dataset.catalog, dataset.kg),
      items.map((i) => foldedTokens(bareTitle(i))),
      items.map((i) => [...new Set([...i.stars, ...i.directors, ...i.writers])].map(foldedTokens)),
    );
  }

  /**
   * Feature rows [Σ items × names.length] of the named features (default: the base set), requests in order,
   * each request's items in order.
   */
  async featurize(
    requests: readonly PairRequest[],
    names: readonly FeatureName[] = FEATURE_NAMES,
  ): Promise<Float32Array> {
    const sims = await this.space.similarities(requests.map((r) => r.context));
    const total = requests.reduce((s, r) => s + r.items.length, 0);
    const out = new Float32Array(total * names.length);
    let row = 0;
    requests.forEach((request, r) => {
      const view = this.view(request.context, sims[r]!);
      for (const item of request.items) {
        const values = this.pairValues(view, item);
        out.set(
          names.map((name) => values[name]),
          row * names.length,
        );
        row++;
      }
    });
    return out;
  }

  /** Similarities of contexts to every item (the retrieval view: candidates are the top of these). */
  similarities(contexts: readonly RecContext[]): Promise<ContextSimilarities[]> {
    return this.space.similarities(contexts);
  }

  private view(context: RecContext, similarities: ContextSimilarities): ContextView {
    const users = userTurns(context.utterances);
    const recent = users.slice(-RECENT_USER_TURNS).join('\n');
    const bm25 = this.bm25.scoreAll(recent);
    const mentions = this.genres.mentions(users.join('\n'));
    const tokens = foldedTokens(context.utterances.join('\n'));
    return {
      context,
      similarities,
      bestSim: max(similarities.context),
      sortedSims: similarities.context.slice().sort(),
      bm25,
      bestBm25: max(bm25),
      tokens,
      tokenSet: new Set(tokens),
      genresNamed: mentions.named,
      genresNegated: mentions.negated,
      kgProfile: this.kg.profile(context.entities),
      userWords: users.reduce((s, u) => s + foldedTokens(u).length, 0),
      lastUserWords: users.length > 0 ? foldedTokens(users[users.length - 1]!).length : 0,
    };
  }

  private pairValues(view: ContextView, item: number): Record<FeatureName, number> {
    const info = this.dataset.catalog.items[item]!;
    const sim = view.similarities.context[item]!;
    const recentUser = view.similarities.recentUser[item]!;
    const better = view.sortedSims.length - upperBound(view.sortedSims, sim);
    const title = this.titleTokens[item]!;
    const titleHits = title.filter((t) => view.tokenSet.has(t)).length;
    const itemGenres = new Set(info.genres);
    const genreNamed = [...itemGenres].filter((g) => view.genresNamed.has(g)).length;
    const genreNegated = [...itemGenres].some((g) => view.genresNegated.has(g));
    const peopleNamed = this.peopleTokens[item]!.filter((p) => occurs(view, p)).length;
    const kg = this.kg.count(view.context.entities, item);
    const share = (hits: number, of: number) => (of > 0 ? hits / of : 0);
    const direct = kg.direct;
    const shared = kg.viaMentionedItems;
    const links =
      Object.values(direct).reduce((s, n) => s + n, 0) + Object.values(shared).reduce((s, n) => s + n, 0);
    const items = this.dataset.catalog.items.length;
    const idf = this.kg.idfOverlap(view.kgProfile, item);
    const person = (o: Record<string, number>) => o.star! + o.director! + o.writer!;
    const idfShared = Object.values(idf.shared).reduce((s, n) => s + n, 0);
    return {
      sem_sim: sim,
      sem_recent_user: recentUser,
      sem_sim_x_recent_user: sim * recentUser,
      sem_gap_to_best: sim - view.bestSim,
      sem_log_rank: Math.log1p(better) / Math.log1p(items),
      bm25_recent_user: Math.log1p(view.bm25[item]!),
      bm25_relative: view.bestBm25 > 0 ? view.bm25[item]! / view.bestBm25 : 0,
      title_overlap: share(titleHits, title.length),
      title_in_context: occurs(view, title) ? 1 : 0,
      genre_named_share: share(genreNamed, itemGenres.size),
      genre_negated: genreNegated ? 1 : 0,
      genres_named_by_user: Math.log1p(view.genresNamed.size),
      people_named: Math.log1p(peopleNamed),
      kg_direct_genre: share(direct.genre, kg.itemNeighbours.genre),
      kg_direct_person: Math.log1p(direct.star + direct.director + direct.writer),
      kg_shared_genre: share(shared.genre, kg.itemNeighbours.genre),
      kg_shared_star: share(shared.star, kg.itemNeighbours.star),
      kg_shared_director: share(shared.director, kg.itemNeighbours.director),
      kg_shared_writer: share(shared.writer, kg.itemNeighbours.writer),
      kg_links: Math.log1p(links),
      ctx_user_words: Math.log1p(view.userWords),
      ctx_last_user_words: Math.log1p(view.lastUserWords),
      ctx_turns: Math.log1p(view.context.utterances.length),
      ctx_entities: Math.log1p(new Set(view.context.entities).size),
      kg_idf_genre: share(idf.shared.genre, idf.total.genre),
      kg_idf_person: share(person(idf.shared), person(idf.total)),
      kg_idf_other: share(idf.shared.other, idf.total.other),
      kg_idf_sum: Math.log1p(idfShared),
    };
  }
}

/** Whether a phrase of folded tokens occurs in the context (its first word must, which is cheap to ask first). */
function occurs(view: ContextView, phrase: readonly string[]): boolean {
  return phrase.length > 0 && view.tokenSet.has(phrase[0]!) && phraseStarts(view.tokens, phrase).length > 0;
}

/** Index of the first value greater than `x` in ascending `sorted` (= how many are ≤ x). */
function upperBound(sorted: Float32Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function max(values: ArrayLike<number>): number {
  let best = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) if (values[i]! > best) best = values[i]!;
  return best;
}
