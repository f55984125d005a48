import type { SamplerConfig } from '../config/augment.js';
import { Rng } from '../util/rng.js';
import type { CandidateRecord } from './artifacts.js';
import type { ScorePair } from './score-request.js';

/** The current student's scores (0-4 scale) for pairs, in the order given. */
export type StudentScores = (pairs: readonly ScorePair[]) => Promise<ArrayLike<number>> | ArrayLike<number>;

export interface SampleOptions {
  config: SamplerConfig;
  seed: number;
  /** Required by the 'uncertainty' strategy. */
  student?: StudentScores;
}

/**
 * Chooses which retrieved pairs go to the teacher. Contexts are first cut to a seeded random subset
 * (maxContexts); then per context: 'all' keeps every candidate, 'random' a seeded random subset,
 * 'stratified' an even share of each rank stratum (so good and poor candidates are both judged), and
 * 'uncertainty' the pairs the student scores closest to the decision threshold. Output order follows the
 * candidates file, so the same inputs always give the same pairs.
 */
export async function samplePairs(
  records: readonly CandidateRecord[],
  options: SampleOptions,
): Promise<ScorePair[]> {
  const { config } = options;
  const rng = new Rng(options.seed);
  let contexts = [...records];
  if (config.maxContexts > 0 && contexts.length > config.maxContexts) {
    const keep = new Set(rng.shuffle(contexts.map((_, i) => i)).slice(0, config.maxContexts));
    contexts = contexts.filter((_, i) => keep.has(i));
  }
  const all = contexts.map((r) =>
    r.candidates.map((c) => ({ dialogId: r.dialog_id, turnId: r.turn_id, item: c.item, rank: c.rank })),
  );
  const n = config.pairsPerContext;
  switch (config.strategy) {
    case 'all':
      return all.flat();
    case 'random':
      return all.flatMap((pairs) => inRankOrder(rng.shuffle([...pairs]).slice(0, n)));
    case 'stratified':
      return all.flatMap((pairs) => inRankOrder(stratified(pairs, config.strata, n, rng)));
    case 'uncertainty': {
      if (!options.student) throw new Error('the uncertainty sampler needs the student scores callback');
      const flat = all.flat();
      const scores = await options.student(flat);
      if (scores.length !== flat.length)
        throw new Error(`student gave ${scores.length} scores for ${flat.length} pairs`);
      let offset = 0;
      return all.flatMap((pairs) => {
        const distance = pairs.map((_, i) => Math.abs(scores[offset + i]! - config.threshold));
        offset += pairs.length;
        const order = pairs.map((_, i) => i).sort((a, b) => distance[a]! - distance[b]! || a - b);
        return inRankOrder(order.slice(0, n).map((i) => pairs[i]!));
      });
    }
  }
}

/** Takes n pairs spread evenly over the rank strata; a stratum with too few pairs passes its share on. */
function stratified(pairs: ScorePair[], bounds: number[], n: number, rng: Rng): ScorePair[] {
  const sorted = [...bounds].sort((a, b) => a - b);
  const strata: ScorePair[][] = sorted.map(() => []);
  const rest: ScorePair[] = [];
  for (const pair of pairs) {
    const s = sorted.findIndex((upper) => (pair.rank ?? Number.POSITIVE_INFINITY) <= upper);
    (s >= 0 ? strata[s]! : rest).push(pair);
  }
  if (rest.length) strata.push(rest);
  const pools = strata.filter((s) => s.length > 0).map((s) => rng.shuffle([...s]));
  const taken: ScorePair[] = [];
  // Round-robin over strata: equal shares, and leftovers of small strata go to the others.
  while (taken.length < n && pools.some((p) => p.length > 0)) {
    for (const pool of pools) {
      const pair = pool.pop();
      if (pair && taken.length < n) taken.push(pair);
    }
  }
  return taken;
}

function inRankOrder(pairs: ScorePair[]): ScorePair[] {
  return pairs.sort((a, b) => (a.rank ?? 0) - (b.rank ?? 0));
}
