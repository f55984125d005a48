import { BatchedJsonlAppender } from '../../augment/batched-append.js';
import { contextKey } from '../../augment/context-text.js';
import type { Catalog, RecContext } from '../../data/types.js';
import type { Recommender } from '../../models/types.js';
import { hashValue } from '../../util/hash.js';
import { Progress } from '../../util/progress.js';
import { Rng } from '../../util/rng.js';
import { rankContexts } from '../evaluate.js';
import type { Metrics } from '../metrics.js';
import { filteredList } from '../protocol.js';
import { recommenderUtterance, withRecommenderTurn, withUserTurn } from './dialogue.js';
import { readTranscripts, type Transcript, type TranscriptTurn } from './transcripts.js';
import type { SimulatedUser, UserSimulator } from './types.js';

/**
 * The interactive protocol (iEvaLM, Wang et al. 2023): for each context with a target item, the CRS ranks
 * (reference protocol: top `topK`, context items removed) and the simulated user, who wants the context's
 * gold items, accepts as soon as a target is in the top k; otherwise the recommender names its top item, the
 * user answers with feedback, the context grows by both turns (dialogue.ts) and the CRS ranks again, for up to
 * `turns` recommendations.
 *
 * One dialogue serves every k: the feedback never depends on k (the recommender names only its top 1, which a
 * user of any k turns down), so the dialogue a user of cut-off k would have is this one up to its acceptance.
 * A dialogue runs until a target is ranked first (accepted at every k) or the last turn.
 * success@k by turn t = share of dialogues with a target in the top k at some turn ≤ t (so it never falls
 * with t or k); mean turns to success at k is over the dialogues that succeeded at k.
 */
export interface SimulationOptions {
  /** Recommendations per dialogue at most (T). */
  turns: number;
  ks: readonly number[];
  topK: number;
  /** Simulated users answering at once (LLM calls in flight; the provider's own limits still apply). */
  concurrency: number;
  /** Contexts scored per recommender call. */
  batchSize?: number;
  /** Finished dialogues are appended here; a rerun skips those of the same run settings. */
  transcriptsFile?: string;
  /**
   * What identifies the recommender beyond its name (e.g. its checkpoint's hash), so that a transcripts file
   * shared by two models of one name never passes one model's dialogues off as the other's.
   */
  recommenderIdentity?: string;
  /** Simulate only these context indices; default every context with a gold item. */
  contextIndices?: readonly number[];
  silent?: boolean;
}

export const DEFAULT_SIMULATION_OPTIONS: SimulationOptions = {
  turns: 5,
  ks: [1, 10, 50],
  topK: 100,
  concurrency: 8,
};

export interface SimulationResult {
  /** describe() of the simulator. */
  simulator: string;
  recommender: string;
  turns: number;
  ks: number[];
  dialogues: number;
  /** By k: success share at turns 1..T (index t − 1). */
  successByTurn: Record<string, number[]>;
  /** By k: mean turn of the first success over dialogues that succeeded at k; null when none did. */
  meanTurnsToSuccess: Record<string, number | null>;
  /** Answers the simulator's guard rejected, and user turns that ended on a fallback. */
  rejectedAnswers: number;
  fallbacks: number;
  /** Dialogues read back from the transcripts file. */
  resumed: number;
  /** One per dialogue, in context order. */
  transcripts: Transcript[];
}

interface LiveDialogue {
  context: RecContext;
  targets: number[];
  user: SimulatedUser;
  turns: TranscriptTurn[];
}

/**
 * The contexts a simulation covers when at most `maxContexts` are simulated (0 = all): a seeded random sample
 * of the contexts with a target, in context order. Every model of a run sees the same sample.
 */
export function simulationContexts(
  contexts: readonly RecContext[],
  maxContexts: number,
  seed: number,
): number[] {
  const withTarget = contexts.flatMap((c, i) => (c.gold.length > 0 ? [i] : []));
  if (maxContexts === 0 || withTarget.length <= maxContexts) return withTarget;
  return new Rng(seed)
    .shuffle(withTarget)
    .slice(0, maxContexts)
    .sort((a, b) => a - b);
}

export async function simulateDialogues(
  recommender: Recommender,
  contexts: readonly RecContext[],
  catalog: Catalog,
  simulator: UserSimulator,
  options: SimulationOptions = DEFAULT_SIMULATION_OPTIONS,
): Promise<SimulationResult> {
  const chosen = (options.contextIndices ?? contexts.map((_, i) => i))
    .map((i) => contexts[i]!)
    .filter((c) => c.gold.length > 0);
  const run = hashValue({
    simulator: simulator.identity,
    recommender: recommender.name,
    recommenderIdentity: options.recommenderIdentity ?? '',
    turns: options.turns,
    topK: options.topK,
  }).slice(0, 16);
  const done = options.transcriptsFile
    ? await readTranscripts(options.transcriptsFile, run)
    : new Map<string, Transcript>();
  const resumed = chosen.filter((c) => done.has(contextKey(c.dialogId, c.turnId))).length;
  let active: LiveDialogue[] = chosen
    .filter((c) => !done.has(contextKey(c.dialogId, c.turnId)))
    .map((context) => ({
      context,
      targets: context.gold,
      user: simulator.start(context, context.gold),
      turns: [],
    }));
  const appender = options.transcriptsFile ? new BatchedJsonlAppender(options.transcriptsFile) : undefined;
  const finish = (dialogue: LiveDialogue) => {
    const transcript: Transcript = {
      run,
      dialog_id: dialogue.context.dialogId,
      turn_id: dialogue.context.turnId,
      targets: dialogue.targets.map((t) => catalog.items[t]!.name),
      turns: dialogue.turns,
    };
    done.set(contextKey(transcript.dialog_id, transcript.turn_id), transcript);
    appender?.add(transcript);
  };
  const progress = new Progress(
    `simulate (${simulator.name}, ${recommender.name})`,
    active.length * options.turns,
    {
      unit: 'turns',
      silent: options.silent,
    },
  );
  try {
    for (let turn = 1; turn <= options.turns && active.length > 0; turn++) {
      const rankings = rankContexts(
        recommender,
        active.map((d) => d.context),
        catalog.items.length,
        { topK: options.topK, batchSize: options.batchSize, silent: true },
      );
      const answering: { dialogue: LiveDialogue; named: number }[] = [];
      active.forEach((dialogue, i) => {
        const list = filteredList(dialogue.context, rankings[i]!, catalog);
        const ranks = dialogue.targets.map((t) => list.indexOf(t)).filter((r) => r >= 0);
        const targetRank = ranks.length ? Math.min(...ranks) : -1;
        dialogue.turns.push({ turn, target_rank: targetRank });
        if (targetRank === 0 || turn === options.turns || list.length === 0) {
          finish(dialogue);
          progress.tick(options.turns - turn + 1);
        } else {
          answering.push({ dialogue, named: list[0]! });
        }
      });
      await forEachLimited(answering, options.concurrency, async ({ dialogue, named }) => {
        const text = recommenderUtterance(catalog, named);
        const asked = withRecommenderTurn(dialogue.context, catalog, named, text);
        const feedback = await dialogue.user.respond({ turn, context: asked, named });
        Object.assign(dialogue.turns[dialogue.turns.length - 1]!, {
          named: catalog.items[named]!.name,
          recommender: text,
          user: feedback.text,
          entities: feedback.entities.map((e) => catalog.entityNames[e]!),
          ...(feedback.rejected ? { rejected: feedback.rejected } : {}),
          ...(feedback.fallback ? { fallback: true } : {}),
        });
        dialogue.context = withUserTurn(asked, feedback);
        progress.tick();
      });
      active = answering.map((a) => a.dialogue);
    }
  } finally {
    await appender?.close();
  }
  progress.finish();
  const transcripts = chosen.map((c) => done.get(contextKey(c.dialogId, c.turnId))!);
  return {
    simulator: simulator.describe(),
    recommender: recommender.name,
    resumed,
    ...summarizeTranscripts(transcripts, options.turns, options.ks),
  };
}

/** The first turn at which a target was in the top k, or null when it never was. */
export function firstSuccessTurn(transcript: Transcript, k: number): number | null {
  const hit = transcript.turns.find((t) => t.target_rank >= 0 && t.target_rank < k);
  return hit ? hit.turn : null;
}

/** success@k by turn, mean turns to success and guard counts of finished dialogues. */
export function summarizeTranscripts(
  transcripts: readonly Transcript[],
  turns: number,
  ks: readonly number[],
): Omit<SimulationResult, 'simulator' | 'recommender' | 'resumed'> {
  const successByTurn: Record<string, number[]> = {};
  const meanTurnsToSuccess: Record<string, number | null> = {};
  for (const k of ks) {
    const first = transcripts.map((t) => firstSuccessTurn(t, k));
    successByTurn[k] = Array.from({ length: turns }, (_, i) =>
      transcripts.length ? first.filter((f) => f !== null && f <= i + 1).length / transcripts.length : 0,
    );
    const hits = first.filter((f): f is number => f !== null);
    meanTurnsToSuccess[k] = hits.length ? hits.reduce((a, b) => a + b, 0) / hits.length : null;
  }
  const userTurns = transcripts.flatMap((t) => t.turns);
  return {
    turns,
    ks: [...ks],
    dialogues: transcripts.length,
    successByTurn,
    meanTurnsToSuccess,
    rejectedAnswers: userTurns.reduce((n, t) => n + (t.rejected ?? 0), 0),
    fallbacks: userTurns.filter((t) => t.fallback).length,
    transcripts: [...transcripts],
  };
}

export const SIMULATED_PREFIX = 'simulated.';

/** Flat metrics: `simulated.success@10.turn3`, `simulated.meanTurns@10` (NaN when none succeeded), counts. */
export function simulationMetrics(result: SimulationResult): Metrics {
  const out: Metrics = {};
  for (const k of result.ks) {
    result.successByTurn[k]!.forEach((value, i) => {
      out[`${SIMULATED_PREFIX}success@${k}.turn${i + 1}`] = value;
    });
    out[`${SIMULATED_PREFIX}meanTurns@${k}`] = result.meanTurnsToSuccess[k] ?? Number.NaN;
  }
  out[`${SIMULATED_PREFIX}dialogues`] = result.dialogues;
  out[`${SIMULATED_PREFIX}rejectedAnswers`] = result.rejectedAnswers;
  out[`${SIMULATED_PREFIX}fallbacks`] = result.fallbacks;
  return out;
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
