import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from '../util/atomic-file.js';
import { InputError } from '../util/errors.js';
import { readJsonFile, writeJsonFile } from '../util/json.js';
import type { SplitName } from './types.js';

/*
 * Embedding matrices keyed by dataset rows (contexts by dialog_id and turn_id, items by catalog name): what
 * `crsaug augment retrieve` writes and what a backbone over frozen context embeddings reads.
 */

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

/** Base path (without .f32/.json) of a split's context embeddings; `suffix` names a shard's part. */
export function contextEmbeddingsBase(dir: string, split: SplitName, suffix = ''): string {
  return join(dir, `${split}.contexts${suffix}`);
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
  const bytes = new Uint8Array(matrix.buffer, matrix.byteOffset, matrix.byteLength);
  // Float32Array bytes are in platform order; every platform Node runs on is little-endian.
  await writeFileAtomic(`${base}.f32`, bytes);
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
