import { CrsaugError } from '../util/errors.js';
import { sha256 } from '../util/hash.js';

/** Shard `index` (1-based) of `count`, as in `--shard 2/4`. */
export interface Shard {
  index: number;
  count: number;
}

export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) {
    throw new CrsaugError(`invalid shard "${text}"`, { hint: 'write i/n with 1 ≤ i ≤ n, e.g. --shard 1/4' });
  }
  return { index, count };
}

/**
 * Whether a context belongs to the shard. The partition hashes the context's ids, not its position, so every
 * machine agrees on it whatever order it loaded the split in.
 */
export function inShard(dialogId: string, turnId: number, shard: Shard | undefined): boolean {
  if (!shard || shard.count === 1) return true;
  const bucket = Number.parseInt(sha256(`${dialogId}\u0000${turnId}`).slice(0, 8), 16) % shard.count;
  return bucket === shard.index - 1;
}

export function shardSuffix(shard: Shard | undefined): string {
  return shard && shard.count > 1 ? `.shard-${shard.index}-of-${shard.count}` : '';
}

/** A shard's file name: base, shard index, shard count, extension. */
export const SHARD_FILE = /^(.+)\.shard-(\d+)-of-(\d+)\.(jsonl|json|f32)$/;
