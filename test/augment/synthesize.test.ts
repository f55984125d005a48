import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type CandidateRecord, pairKey, type ScoreRecord } from '../../src/augment/artifacts.js';
import {
  formatSynthesisStats,
  judgedByContext,
  synthesize,
  teacherScoresScorer,
} from '../../src/augment/synthesize.js';
import { loadDataset } from '../../src/data/load.js';
import { readProcessedSplit } from '../../src/data/split.js';
import type { Dataset, RecContext } from '../../src/data/types.js';
import { readSyntheticLabels } from '../../src/train/samples.js';

let dataset: Dataset;
let contexts: RecContext[];
let candidates: CandidateRecord[];
const scores = new Map<string, ScoreRecord>();
const dir = mkdtempSync(join(tmpdir(), 'crsaug-synthesize-'));

// Candidate scores per context, by candidate position; null = the teacher never judged that pair.
const SCORES: Array<Array<number | null>> = [
  [4, 3.5, 3.49, null],
  [2, 3, 1, 0],
  [3.7, 4, 0, 3.5],
];

before(async () => {
  dataset = await loadDataset('inspired', { splits: ['train', 'valid'] });
  // Three real train contexts that have a gold item; each gets the gold item first, then three others.
  contexts = dataset.splits.train!.contexts.filter((c) => c.gold.length === 1).slice(0, 3);
  candidates = contexts.map((c, i) => {
    const others = [0, 1, 2, 3, 4, 5].filter(
      (item) => item !== c.gold[0] && !c.entities.includes(dataset.catalog.itemEntity[item]!),
    );
    const items = [c.gold[0]!, ...others.slice(0, 3)];
    items.forEach((item, k) => {
      const score = SCORES[i]![k];
      if (score === null || score === undefined) return;
      const name = dataset.catalog.items[item]!.name;
      scores.set(pairKey(c.dialogId, c.turnId, name), {
        dialog_id: c.dialogId,
        turn_id: c.turnId,
        item: name,
        score: Math.round(score),
        expected: score,
        valid: true,
        model: 'test:judge',
        attempts: 1,
      });
    });
    return {
      dialog_id: c.dialogId,
      turn_id: c.turnId,
      candidates: items.map((item, k) => ({
        item: dataset.catalog.items[item]!.name,
        rank: k + 1,
        sim: 1 - k / 10,
      })),
    };
  });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const run = (threshold: number, out: string, topK = 50, split: 'train' | 'valid' = 'train') =>
  synthesize({
    dataset,
    split,
    candidates,
    candidatesSource: 'test candidates',
    scorer: teacherScoresScorer(scores, dataset, 'test scores'),
    threshold,
    topK,
    outFile: join(dir, out),
    silent: true,
  });

describe('synthesize', () => {
  test('keeps candidates at or above the threshold, best first, with aligned scores', async () => {
    const stats = await run(3.5, 'a.jsonl');
    const lines = readFileSync(join(dir, 'a.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 3);
    const name = (i: number, k: number) => candidates[i]!.candidates[k]!.item;
    assert.deepEqual(lines[0].rec, [name(0, 0), name(0, 1)]); // 4 and exactly 3.5 kept, 3.49 not
    assert.deepEqual(lines[0].scores, [4, 3.5]);
    assert.deepEqual(lines[1].rec, []);
    assert.deepEqual(lines[2].rec, [name(2, 1), name(2, 0), name(2, 3)]);
    assert.deepEqual(lines[2].scores, [4, 3.7, 3.5]);
    assert.deepEqual(Object.keys(lines[0]), ['dialog_id', 'turn_id', 'context', 'entity', 'rec', 'scores']);

    assert.equal(stats.labels, 5);
    assert.equal(stats.contexts, 3);
    assert.equal(stats.contextsWithoutLabels, 1);
    assert.equal(stats.contextsWithoutCandidates, dataset.splits.train!.contexts.length - 3);
    assert.equal(stats.unscoredPairs, 1);
    assert.equal(stats.labelsPerContext.median, 2);
    assert.deepEqual(
      stats.labelsPerContext.histogram.slice(0, 3).map((h) => h.contexts),
      [1, 1, 1],
    );
    // Gold is candidate 1 everywhere; it scored 4, 2 and 3.7.
    assert.deepEqual(stats.gold, { pairs: 3, inCandidates: 3, kept: 2 });
    const shares = stats.longTail.shares;
    assert.ok(Math.abs(shares.head + shares.torso + shares.tail - 1) < 1e-9);
    assert.equal(stats.longTail.labelSplit, 'train');
    assert.match(
      formatSynthesisStats(stats),
      /gold pairs kept as labels \(of those among candidates\) +\| +2 of 3/,
    );
  });

  test('a lower threshold keeps more; topK limits the candidates scored', async () => {
    assert.equal((await run(3.0, 'b.jsonl')).labels, 7);
    const top1 = await run(3.0, 'c.jsonl', 1);
    assert.equal(top1.labels, 2);
    assert.equal(top1.unscoredPairs, 0);
  });

  test('the output reads back through the processed-format loader as the same contexts with the kept labels', async () => {
    await run(3.5, 'd.jsonl');
    const split = await readProcessedSplit('train', join(dir, 'd.jsonl'), dataset.catalog, {
      removeRepeated: true,
    });
    assert.equal(split.contexts.length, 3);
    split.contexts.forEach((c, i) => {
      const original = contexts[i]!;
      assert.equal(c.dialogId, original.dialogId);
      assert.equal(c.turnId, original.turnId);
      assert.deepEqual(c.utterances, original.utterances);
      assert.deepEqual(c.entities, original.entities);
    });
    const itemOf = (name: string) => dataset.catalog.items.findIndex((it) => it.name === name);
    assert.deepEqual(
      split.contexts[2]!.gold,
      [1, 0, 3].map((k) => itemOf(candidates[2]!.candidates[k]!.item)),
    );
    assert.equal(split.unknownRecNames, 0);
  });

  test("stage 1's synthetic-label reader takes the file with its scores", async () => {
    await run(3.5, 'f.jsonl');
    const labels = await readSyntheticLabels(join(dir, 'f.jsonl'), dataset.catalog);
    assert.equal(labels.unknownNames, 0);
    assert.deepEqual(
      labels.contexts.map((c) => c.scores.map((v) => Math.round(v * 100) / 100)),
      [
        [4, 3.5],
        [4, 3.7, 3.5],
      ],
    );
  });

  test("teacher override: on judged contexts the teacher's scores win and its judged items outside the candidates are scored", async () => {
    // The "teacher" judged context 0 (its gold: 1, another item: 4 outside the candidates); context 1 not.
    const outside = [7, 8, 9, 10, 11].find(
      (item) => !candidates[0]!.candidates.some((c) => c.item === dataset.catalog.items[item]!.name),
    )!;
    const judgments = new Map([
      [pairKey(contexts[0]!.dialogId, contexts[0]!.turnId, candidates[0]!.candidates[0]!.item), 1],
      [pairKey(contexts[0]!.dialogId, contexts[0]!.turnId, dataset.catalog.items[outside]!.name), 4],
      [pairKey('no-such-dialogue', 1, candidates[0]!.candidates[0]!.item), 4],
    ]);
    const teacher = judgedByContext(judgments, dataset);
    assert.equal(teacher.size, 1, 'judgments of contexts outside train are left out');
    const options = {
      dataset,
      split: 'train' as const,
      candidates,
      candidatesSource: 'test candidates',
      scorer: teacherScoresScorer(scores, dataset, 'test scores'),
      threshold: 3.5,
      topK: 50,
      silent: true,
      teacher,
    };
    const measured = await synthesize({ ...options, outFile: join(dir, 'teacher-a.jsonl') });
    // Without the override the teacher only measures the pool: its one 4 is not among the candidates.
    assert.deepEqual(measured.teacherFours, { judged: 1, inCandidates: 0 });
    assert.equal(measured.teacher, undefined);
    assert.equal(measured.labels, 5);
    const overridden = await synthesize({
      ...options,
      teacherOverride: true,
      outFile: join(dir, 'teacher-b.jsonl'),
    });
    assert.deepEqual(overridden.teacher, { contexts: 1, pairs: 2, added: 1 });
    const first = JSON.parse(readFileSync(join(dir, 'teacher-b.jsonl'), 'utf8').split('\n')[0]!);
    // The gold's 4 became the teacher's 1; the judged outside item is a label; 3.5 of candidate 2 stays.
    assert.deepEqual(first.rec, [dataset.catalog.items[outside]!.name, candidates[0]!.candidates[1]!.item]);
    assert.deepEqual(first.scores, [4, 3.5]);
    // Gold statistics count the retrieved candidates only, not the judged items added to them.
    assert.equal(overridden.gold.inCandidates, measured.gold.inCandidates);
    assert.equal(overridden.gold.kept, measured.gold.kept - 1, "the gold's 4 was overridden by a 1");
  });

  test('labels are made for the train split only', async () => {
    await assert.rejects(run(3.5, 'valid.jsonl', 50, 'valid'), /train split only, not valid/);
  });

  test('a candidate outside the catalog is an error naming the source', async () => {
    const saved = candidates;
    candidates = [{ ...saved[0]!, candidates: [{ item: 'No Such Film (1900)', rank: 1, sim: 1 }] }];
    await assert.rejects(
      run(3.5, 'e.jsonl'),
      /test candidates: "No Such Film \(1900\)" is not an item of inspired/,
    );
    candidates = saved;
  });
});

describe('augment synthesize command', () => {
  test('without a candidates file it fails with exit code 1 and says which command makes one', () => {
    const cli = fileURLToPath(new URL('../../src/cli/index.js', import.meta.url));
    const run = spawnSync(process.execPath, [cli, 'augment', 'synthesize', '--out', join(dir, 'empty')], {
      encoding: 'utf8',
    });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /no candidates file .*train\.candidates\.jsonl/);
    assert.match(run.stderr, /hint: run `crsaug augment retrieve --splits train` first/);
  });
});
