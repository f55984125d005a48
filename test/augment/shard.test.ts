import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readScores, type ScoreRecord, scoresFile } from '../../src/augment/artifacts.js';
import { mergeShards } from '../../src/augment/merge.js';
import { inShard, parseShard } from '../../src/augment/shard.js';
import { writeJsonl } from '../../src/util/jsonl.js';

test('parseShard accepts i/n with 1 ≤ i ≤ n and names the mistake otherwise', () => {
  assert.deepEqual(parseShard('2/4'), { index: 2, count: 4 });
  for (const bad of ['0/4', '5/4', '1/0', 'a/b', '1-4', ''])
    assert.throws(() => parseShard(bad), /invalid shard/);
});

test('every context lands in exactly one shard, with roughly even sizes', () => {
  const sizes = [0, 0, 0, 0];
  for (let d = 0; d < 2000; d++) {
    const owners = [1, 2, 3, 4].filter((index) => inShard(`dialog-${d}`, d % 7, { index, count: 4 }));
    assert.equal(owners.length, 1);
    sizes[owners[0]! - 1]!++;
  }
  assert.ok(
    sizes.every((n) => n > 400 && n < 600),
    `${sizes}`,
  );
});

test('merging score shards keeps one record per pair and prefers a valid one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-shard-'));
  try {
    const record = (item: string, score: number | null): ScoreRecord => ({
      dialog_id: 'd1',
      turn_id: 2,
      item,
      score,
      valid: score !== null,
      model: 'm',
      attempts: 1,
    });
    // Shard 1 first recorded A invalid, then a retry made it valid; shard 2 has B.
    await writeJsonl(scoresFile(dir, 'train', { index: 1, count: 2 }), [
      record('A', null),
      record('A', 3),
      record('A', null),
    ]);
    await writeJsonl(scoresFile(dir, 'train', { index: 2, count: 2 }), [record('B', 0)]);
    const summary = await mergeShards(dir);
    assert.deepEqual(
      summary.merged.map((m) => m.records),
      [2],
    );
    const merged = await readScores(scoresFile(dir, 'train'));
    assert.deepEqual(
      [...merged.values()].map((r) => [r.item, r.score]),
      [
        ['A', 3],
        ['B', 0],
      ],
    );
    assert.equal(readFileSync(scoresFile(dir, 'train'), 'utf8').trim().split('\n').length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
