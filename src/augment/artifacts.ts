import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { SplitName } from '../data/types.js';
import { InputError } from '../util/errors.js';
import { readJsonFile, writeJsonFile } from '../util/json.js';
import { readJsonl } from '../util/jsonl.js';
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

export const EMBEDDINGS_FORMAT = 'crsaug-embeddings/1' as const;

/** The JSON index next to an embeddings matrix (`<base>.f32`: rows × dims float32, little-endian, row-major). */
export const EmbeddingIndexSchema = z.object({
  format: z.literal(EMBEDDINGS_FORMAT),
  dtype: z.literal('float32'),
  byteOrder: z.literal('little'),
  rows: z.number().int().nonnegative(),
  dims: z.number().int().nonnegative(),
  kind: z.enum(['contexts', 'items']),
  /** describe() of the embedding model, and its provider:modelId (a reader must embed new texts with the same). */
  model: z.string(),
  modelId: z.string(),
  /** The exact text wrapper used: prefix + text + suffix. */
  prefix: z.string(),
  suffix: z.string(),
  /** Row i is keys[i]: {dialog_id, turn_id} for contexts, {item} (catalog name) for items. */
  keys: z.array(
    z.union([z.object({ dialog_id: z.string(), turn_id: z.number().int() }), z.object({ item: z.string() })]),
  ),
});
export type EmbeddingIndex = z.output<typeof EmbeddingIndexSchema>;

export interface EmbeddingsFile {
  index: EmbeddingIndex;
  /** Row-major [rows × dims]. */
  matrix: Float32Array;
}

export function candidatesFile(dir: string, split: SplitName, shard?: Shard): string {
  return join(dir, `${split}.candidates${shardSuffix(shard)}.jsonl`);
}

export function scoresFile(dir: string, split: SplitName, shard?: Shard): string {
  return join(dir, `${split}.scores${shardSuffix(shard)}.jsonl`);
}

/** Base path (without .f32/.json) of a split's context embeddings. */
export function contextEmbeddingsBase(dir: string, split: SplitName, shard?: Shard): string {
  return join(dir, `${split}.contexts${shardSuffix(shard)}`);
}

export function itemEmbeddingsBase(dir: string): string {
  return join(dir, 'items');
}

/** Writes `<base>.f32` then `<base>.json` (the index last, so an index always has its complete matrix). */
export async function writeEmbeddings(base: string, file: EmbeddingsFile): Promise<void> {
  const { index, matrix } = file;
  if (matrix.length !== index.rows * index.dims || index.keys.length !== index.rows) {
    throw new Error(
      `embeddings ${base}: ${index.rows}×${index.dims} with ${index.keys.length} keys, got ${matrix.length} floats`,
    );
  }
  await mkdir(dirname(base), { recursive: true });
  const bytes = new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength);
  const tmp = `${base}.f32.tmp-${process.pid}`;
  // Float32Array bytes are in platform order; every platform Node runs on is little-endian.
  await writeFile(tmp, bytes);
  await rename(tmp, `${base}.f32`);
  await writeJsonFile(`${base}.json`, index);
}

export function readEmbeddings(base: string): EmbeddingsFile {
  const indexFile = `${base}.json`;
  const index = readJsonFile(indexFile, EmbeddingIndexSchema, 'run `crsaug augment retrieve` first');
  const bytes = readFileSync(`${base}.f32`);
  if (bytes.byteLength !== index.rows * index.dims * 4) {
    throw new InputError(
      { file: `${base}.f32` },
      `has ${bytes.byteLength} bytes, but ${indexFile} says ${index.rows}×${index.dims} float32 (${index.rows * index.dims * 4} bytes)`,
    );
  }
  const matrix = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return { index, matrix };
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

/**
 * The scores in a file by pair; a later record replaces an earlier one unless it is invalid and the
 * earlier one valid (re-asking an invalid pair appends, and must not erase a good answer).
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
