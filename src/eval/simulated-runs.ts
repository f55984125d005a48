import type { Rng } from '../util/rng.js';

/**
 * Simulated evaluations of two training procedures A and B on the same clustered test pairs, for measuring
 * whether a comparison is calibrated. Each pair's hit is a thresholded latent score (a probit model):
 *
 *   latent = base + dialogue + pair ± effect/2 (+ shift for B) + seed + seed×dialogue + seed×pair,   hit = latent > 0
 *
 * `dialogue` and `pair` make some pairs hard for every model (the cluster structure); `effect` is a
 * per-dialogue difference between A and B (+ for A, − for B) that averages to zero over dialogues, so the
 * dialogue sample matters even when neither is better; `seed` moves every pair of one trained model
 * (a better or worse seed); seed×dialogue and seed×pair make each seed get other pairs right (churn).
 * With shift = 0 A and B are exchangeable, so any comparison should find no difference.
 */
export interface SimulationSettings {
  dialogues: number;
  /** Pairs per dialogue: uniform integer in [min, max]. */
  pairsPerDialogue: [number, number];
  /** Latent offset: −1.2 with the default spreads gives a hit rate near 20 %. */
  base: number;
  dialogueSd: number;
  pairSd: number;
  /** Per-dialogue A − B difference (sd), zero on average. */
  effectSd: number;
  seedSd: number;
  seedDialogueSd: number;
  seedPairSd: number;
  /** Seeds of A and of B. */
  seeds: [number, number];
  /** Latent shift of B (0 = no true difference). */
  shift: number;
}

/** INSPIRED-like: 80 dialogues of 1-3 pairs (about 160 pairs), hit rate near 20 %, 5 seeds per side. */
export const INSPIRED_LIKE: SimulationSettings = {
  dialogues: 80,
  pairsPerDialogue: [1, 3],
  base: -1.2,
  dialogueSd: 0.6,
  pairSd: 0.8,
  effectSd: 0.5,
  seedSd: 0.07,
  seedDialogueSd: 0.25,
  seedPairSd: 0.5,
  seeds: [5, 5],
  shift: 0,
};

/** Three seeds per side where a seed moves all its pairs (the seed variance dominates). */
export const THREE_SEEDS: SimulationSettings = {
  ...INSPIRED_LIKE,
  dialogues: 150,
  effectSd: 0.3,
  seedSd: 0.15,
  seedDialogueSd: 0.2,
  seedPairSd: 0.4,
  seeds: [3, 3],
};

/** Seeds differ only by which pairs they get right (no seed effect, no A/B difference per dialogue). */
export const CHURN_ONLY: SimulationSettings = {
  ...INSPIRED_LIKE,
  dialogues: 150,
  effectSd: 0,
  seedSd: 0,
  seedDialogueSd: 0.3,
  seedPairSd: 0.7,
};

/** ReDial-like: 1,300 dialogues of 1-5 pairs (about 3,900 pairs), 5 seeds per side. */
export const REDIAL_LIKE: SimulationSettings = {
  ...INSPIRED_LIKE,
  dialogues: 1300,
  pairsPerDialogue: [1, 5],
  seedSd: 0.04,
};

export interface SimulatedComparison {
  /** a[s][i]: hit (0/1) of A's seed s on pair i; b likewise. */
  a: Float64Array[];
  b: Float64Array[];
  /** Dialogue index of each pair. */
  dialogues: number[];
}

export function simulateComparison(rng: Rng, settings: SimulationSettings): SimulatedComparison {
  const [minPairs, maxPairs] = settings.pairsPerDialogue;
  const dialogues: number[] = [];
  const latent: number[] = [];
  const effect: number[] = [];
  for (let g = 0; g < settings.dialogues; g++) {
    const pairs = minPairs + rng.int(maxPairs - minPairs + 1);
    const level = settings.base + settings.dialogueSd * rng.normal();
    const half = (settings.effectSd * rng.normal()) / 2;
    for (let k = 0; k < pairs; k++) {
      dialogues.push(g);
      latent.push(level + settings.pairSd * rng.normal());
      effect.push(half);
    }
  }
  const side = (sign: 1 | -1, shift: number, seeds: number): Float64Array[] =>
    Array.from({ length: seeds }, () => {
      const seed = settings.seedSd * rng.normal();
      const perDialogue = Array.from(
        { length: settings.dialogues },
        () => settings.seedDialogueSd * rng.normal(),
      );
      return Float64Array.from(latent, (value, i) => {
        const score =
          value +
          sign * effect[i]! +
          shift +
          seed +
          perDialogue[dialogues[i]!]! +
          settings.seedPairSd * rng.normal();
        return score > 0 ? 1 : 0;
      });
    });
  return {
    a: side(1, 0, settings.seeds[0]),
    b: side(-1, settings.shift, settings.seeds[1]),
    dialogues,
  };
}
