import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CrsaugError } from '../util/errors.js';
import { writeJsonl } from '../util/jsonl.js';
import {
  type CandidateRecord,
  type EmbeddingsFile,
  readCandidates,
  readEmbeddings,
  readScores,
  writeEmbeddings,
} from './artifacts.js';
import { SHARD_FILE } from './shard.js';

export interface MergeSummary {
  /** Merged file (without extension for embeddings) → shards it came from. */
  merged: { output: string; shards: number; records: number }[];
}

/**
 * Merges every complete set of shard files in `dir` into the unsharded file names: candidates by context
 * (ordered by dialog_id, turn_id), scores by pair (as readScores resolves repeats), and embeddings row-wise
 * with their keys. An incomplete set is an error naming the missing shards.
 */
export async function mergeShards(dir: string): Promise<MergeSummary> {
  const groups = new Map<string, { count: number; ext: string; indices: Set<number> }>();
  for (const name of readdirSync(dir)) {
    const match = SHARD_FILE.exec(name);
    if (!match || match[4] === 'json') continue;
    const [, base, index, count, ext] = match;
    const key = `${base}\u0000${count}\u0000${ext}`;
    const group = groups.get(key) ?? { count: Number(count), ext: ext!, indices: new Set<number>() };
    group.indices.add(Number(index));
    groups.set(key, group);
  }
  const summary: MergeSummary = { merged: [] };
  for (const [key, group] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const base = key.split('\u0000')[0]!;
    const missing = Array.from({ length: group.count }, (_, i) => i + 1).filter((i) => !group.indices.has(i));
    if (missing.length > 0) {
      throw new CrsaugError(
        `cannot merge ${base}: shard(s) ${missing.join(', ')} of ${group.count} missing in ${dir}`,
      );
    }
    const shardBase = (i: number) => join(dir, `${base}.shard-${i}-of-${group.count}`);
    const shards = Array.from({ length: group.count }, (_, i) => shardBase(i + 1));
    const output = join(dir, base);
    let records: number;
    if (group.ext === 'f32') records = await mergeEmbeddings(shards, output);
    else if (base.endsWith('.scores')) records = await mergeScores(shards, `${output}.jsonl`);
    else records = await mergeCandidates(shards, `${output}.jsonl`);
    summary.merged.push({
      output: group.ext === 'f32' ? `${output}.f32` : `${output}.jsonl`,
      shards: group.count,
      records,
    });
  }
  return summary;
}

async function mergeCandidates(shards: string[], output: string): Promise<number> {
  const all: CandidateRecord[] = [];
  for (const shard of shards) all.push(...(await readCandidates(`${shard}.jsonl`)));
  all.sort((a, b) => a.dialog_id.localeCompare(b.dialog_id) || a.turn_id - b.turn_id);
  await writeJsonl(output, all);
  return all.length;
}

async function mergeScores(shards: string[], output: string): Promise<number> {
  // Appending to an existing merged file keeps pairs scored after an earlier merge.
  const merged = await readScores(output);
  for (const shard of shards) {
    for (const [key, record] of await readScores(`${shard}.jsonl`)) {
      if (!merged.get(key)?.valid || record.valid) merged.set(key, record);
    }
  }
  await writeJsonl(output, merged.values());
  return merged.size;
}

async function mergeEmbeddings(shards: string[], output: string): Promise<number> {
  const parts: EmbeddingsFile[] = shards.map((base) => readEmbeddings(base));
  const first = parts[0]!.index;
  for (const [i, part] of parts.entries()) {
    if (
      part.index.dims !== first.dims ||
      part.index.modelId !== first.modelId ||
      part.index.prefix !== first.prefix
    ) {
      throw new CrsaugError(
        `cannot merge ${output}: ${shards[i]}.json was made with ${part.index.modelId} (${part.index.dims}-d), ${shards[0]}.json with ${first.modelId} (${first.dims}-d)`,
      );
    }
  }
  const rows = parts.reduce((n, p) => n + p.index.rows, 0);
  const matrix = new Float32Array(rows * first.dims);
  let offset = 0;
  for (const part of parts) {
    matrix.set(part.matrix, offset);
    offset += part.matrix.length;
  }
  await writeEmbeddings(output, {
    index: { ...first, rows, keys: parts.flatMap((p) => p.index.keys) },
    matrix,
  });
  return rows;
}
