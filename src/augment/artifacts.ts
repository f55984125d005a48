import { existsSync } from 'node:fs';
import { mkdir, open, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { SplitName } from '../data/types.js';
import { readJsonl, writeJsonl } from '../util/jsonl.js';
import { type Shard, shardSuffix } from './shard.js';

/** One line of `<split>.candidates.jsonl`: a context's retrieved items, rank 1 first. */
export const CandidateRecordSchema = z.object({
  dialog_id: z.string(),
  turn_id: z.number().int(),
  candidates: z.array(z.object({ item: z.string(), rank: z.number().int().positive(), sim: z.number() })),
});
export type CandidateRecord = z.output<typeof CandidateRecordSchema>;

/** One line of `<split>.scores.jsonl`: the teacher's judgment of one (context, item) pair. */
export const ScoreRecordSchema = z.object({
  dialog_id: z.string(),
  turn_id: z.number().int(),
  item: z.string(),
  /** Integer 0-4 parsed from the answer; null when no valid answer was obtained. */
  score: z.number().int().min(0).max(4).nullable(),
  /** Expected score over the digits 0-4 from token log-probabilities, when the provider returned them. */
  expected: z.number().min(0).max(4).optional(),
  valid: z.boolean(),
  /** Why the pair is invalid (out of range, truncated, no score found, missing from a batch answer). */
  error: z.string().optional(),
  /** The model's last answer text, kept for invalid pairs and in 'reason' mode. */
  raw: z.string().optional(),
  /** Retrieval rank of the item for this context, when the pair came from a candidates file. */
  rank: z.number().int().positive().optional(),
  /** `provider:modelId` of the judge. */
  model: z.string(),
  /** Calls spent on this pair (1 = the first answer was valid). */
  attempts: z.number().int().nonnegative(),
});
export type ScoreRecord = z.output<typeof ScoreRecordSchema>;

export {
  contextEmbeddingsBase,
  EMBEDDINGS_FORMAT,
  type EmbeddingIndex,
  EmbeddingIndexSchema,
  type EmbeddingsFile,
  itemEmbeddingsBase,
  readEmbeddings,
  writeEmbeddings,
} from '../data/embeddings-file.js';

export function candidatesFile(dir: string, split: SplitName, shard?: Shard): string {
  return join(dir, `${split}.candidates${shardSuffix(shard)}.jsonl`);
}

export function scoresFile(dir: string, split: SplitName, shard?: Shard): string {
  return join(dir, `${split}.scores${shardSuffix(shard)}.jsonl`);
}

export async function readCandidates(file: string): Promise<CandidateRecord[]> {
  const out: CandidateRecord[] = [];
  for await (const { value } of readJsonl(
    file,
    CandidateRecordSchema,
    'run `crsaug augment retrieve` first',
  )) {
    out.push(value);
  }
  return out;
}

export function pairKey(dialogId: string, turnId: number, item: string): string {
  return JSON.stringify([dialogId, turnId, item]);
}

/** The parts of a pairKey. */
export function splitPairKey(key: string): { dialogId: string; turnId: number; item: string } {
  const [dialogId, turnId, item] = JSON.parse(key) as [string, number, string];
  return { dialogId, turnId, item };
}

/**
 * The scores in a file by pair, in the order pairs first appear; a later record replaces an earlier one
 * unless it is invalid and the earlier one valid (re-asking an invalid pair appends, and must not erase a good
 * answer).
 */
export async function readScores(file: string): Promise<Map<string, ScoreRecord>> {
  const byPair = new Map<string, ScoreRecord>();
  if (!existsSync(file)) return byPair;
  for await (const { value } of readJsonl(file, ScoreRecordSchema)) {
    const key = pairKey(value.dialog_id, value.turn_id, value.item);
    const previous = byPair.get(key);
    if (!previous || value.valid || !previous.valid) byPair.set(key, value);
  }
  return byPair;
}

/** Replaces a scores file by one record per pair (writeJsonl writes it aside, then renames it over it). */
export async function rewriteScores(file: string, scores: ReadonlyMap<string, ScoreRecord>): Promise<void> {
  await writeJsonl(file, [...scores.values()]);
}

/**
 * Prepares an append-only JSONL file for appending: creates it when missing, and cuts a half-written last
 * line (a writer killed mid-append) so the next append starts on a fresh line. Returns the bytes dropped.
 */
export async function prepareAppend(file: string): Promise<number> {
  if (!existsSync(file)) {
    // Created even when nothing will be appended: an empty shard must still exist for merge.
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, '');
    return 0;
  }
  const handle = await open(file, 'r+');
  try {
    const { size } = await handle.stat();
    if (size === 0) return 0;
    // Lines are short; read back until a newline is found.
    let keep = 0;
    for (let end = size; end > 0 && keep === 0; ) {
      const start = Math.max(0, end - 65536);
      const buffer = Buffer.alloc(end - start);
      await handle.read(buffer, 0, buffer.length, start);
      const newline = buffer.lastIndexOf(10);
      if (newline >= 0) keep = start + newline + 1;
      end = start;
    }
    if (keep < size) await handle.truncate(keep);
    return size - keep;
  } finally {
    await handle.close();
  }
}
