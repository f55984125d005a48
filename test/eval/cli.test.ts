import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCli, runCliJson } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'crsaug-eval-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const popularity = join(dir, 'popularity.jsonl');
const random = join(dir, 'random.jsonl');
const inspired = ['--dataset', 'inspired', '--split', 'test'];

test('baseline popularity on INSPIRED test: 161 pairs, and its predictions file evaluates to the same metrics', () => {
  const baseline = runCliJson([
    'baseline',
    ...inspired,
    '--model',
    'popularity',
    '--predictions-out',
    popularity,
  ]);
  assert.equal(baseline.pairs, 161);
  assert.equal(baseline.model, 'popularity');
  assert.deepEqual(baseline.seeds, [42]);
  // Popularity is deterministic; R@1 is 8 of 161 pairs.
  assert.equal(baseline['recall@1'], 8 / 161);
  const evaluated = runCliJson(['eval', ...inspired, '--predictions', popularity]);
  for (const [key, value] of Object.entries(evaluated)) {
    if (typeof value === 'number') assert.equal(baseline[key as `${string}@${number}`], value, key);
  }
});

test('repeat scores 0 under the filtered protocol but not unfiltered', () => {
  const repeat = runCliJson(['baseline', ...inspired, '--model', 'repeat']);
  for (const k of [1, 5, 10, 25, 50]) assert.equal(repeat[`recall@${k}`], 0, `recall@${k}`);
  assert.equal(repeat['coverage@50'], 0);
  assert.ok(repeat['unfiltered.recall@50'] > 0.1, `unfiltered.recall@50 = ${repeat['unfiltered.recall@50']}`);
});

test('random over 3 seeds reports mean ± sample std of the runs', () => {
  const result = runCliJson(['baseline', ...inspired, '--model', 'random', '--seeds', '3', '--seed', '5']);
  assert.deepEqual(result.seeds, [5, 6, 7]);
  const runs = result.runs as { metrics: Record<string, number> }[];
  const values = runs.map((r) => r.metrics['coverage@10']!);
  const mean = values.reduce((a, b) => a + b, 0) / 3;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / 2);
  assert.ok(Math.abs(result['coverage@10'] - mean) < 1e-9);
  assert.ok(Math.abs((result.std as Record<string, number>)['coverage@10']! - std) < 1e-9);
  assert.ok(std > 0);
});

test('eval prints a table, writes config and metrics with --out, and compares runs with paired tests', () => {
  runCliJson(['baseline', ...inspired, '--model', 'random', '--predictions-out', random]);
  const out = join(dir, 'run');
  const run = runCli([
    'eval',
    ...inspired,
    '--predictions',
    popularity,
    '--compare',
    random,
    '--out',
    out,
    '--resamples',
    '2000',
  ]);
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /recall % +\| +4\.97 \|/);
  assert.match(run.stdout, /pairs 161, unfiltered pairs 195/);
  assert.match(run.stdout, /paired tests of fixed models on recall@10 over 161 pairs/);
  assert.match(run.stdout, /the seed variance is not counted/);
  const metrics = JSON.parse(readFileSync(join(out, 'metrics.json'), 'utf8'));
  assert.equal(metrics['recall@1'], 8 / 161);
  assert.ok(metrics.significance.permutation.pValue < 0.05, `p = ${metrics.significance.permutation.pValue}`);
  const config = JSON.parse(readFileSync(join(out, 'config.resolved.json'), 'utf8'));
  assert.equal(config.dataset, 'inspired');
  assert.equal(config.eval.topK, 100);

  const same = runCliJson(['eval', ...inspired, '--predictions', popularity, '--compare', popularity]);
  const significance = same.significance as {
    permutation: { pValue: number };
    bootstrap: { pValue: number };
  };
  assert.equal(significance.permutation.pValue, 1);
  assert.equal(significance.bootstrap.pValue, 1);
});

test('eval --compare with one file per seed on each side runs the seed-aware comparison', () => {
  const seeds = (first: number) =>
    [first, first + 1, first + 2].map((seed) => {
      const file = join(dir, `random-${seed}.jsonl`);
      runCliJson([
        'baseline',
        ...inspired,
        '--model',
        'random',
        '--seed',
        String(seed),
        '--predictions-out',
        file,
      ]);
      return file;
    });
  const randomRuns = seeds(11);
  // Popularity is deterministic: its one file twice is a side with no seed variance.
  const result = runCliJson([
    'eval',
    ...inspired,
    '--predictions',
    popularity,
    popularity,
    '--compare',
    ...randomRuns,
    '--metric',
    'recall@50',
  ]);
  const runs = (result.compare as { runs: { file: string }[] }).runs;
  assert.deepEqual(
    runs.map((r) => r.file),
    randomRuns,
  );
  const comparison = result.comparison as {
    metric: string;
    seedsA: number;
    seedsB: number;
    dialogues: number;
    diff: number;
    ci95: [number, number];
    p: number;
    method: string;
  };
  assert.equal(comparison.metric, 'recall@50');
  assert.deepEqual([comparison.seedsA, comparison.seedsB], [2, 3]);
  assert.equal(comparison.dialogues, 81, 'INSPIRED test: 161 pairs in 81 dialogues');
  assert.ok(
    comparison.diff < -0.2 && comparison.ci95[1] < 0 && comparison.p < 0.001,
    JSON.stringify(comparison),
  );
  assert.match(comparison.method, /seed × dialogue variance components/);
  assert.equal(
    result['recall@50'],
    (result.runs as { metrics: Record<string, number> }[])[0]!.metrics['recall@50'],
  );

  const text = runCli([
    'eval',
    ...inspired,
    '--predictions',
    ...randomRuns,
    '--compare',
    ...randomRuns.reverse(),
  ]);
  assert.equal(text.status, 0, text.stderr);
  assert.match(
    text.stdout,
    /seed-aware comparison on recall@10: 3 runs of A vs 3 of B, 161 pairs in 81 dialogues/,
  );
  assert.match(text.stdout, /p = 1\.000/);

  const mixed = runCli(['eval', ...inspired, '--predictions', popularity, '--compare', ...randomRuns]);
  assert.notEqual(mixed.status, 0);
  assert.match(
    mixed.stderr,
    /A has 1 predictions file\(s\) and B 3: the seed-aware comparison needs ≥ 2 on each side/,
  );
});

test('--long-tail adds recall per popularity bucket', () => {
  const result = runCliJson(['eval', ...inspired, '--predictions', popularity, '--long-tail']);
  const longTail = result.longTail as { labelSplit: string; buckets: { name: string; pairs: number }[] };
  assert.equal(longTail.labelSplit, 'train');
  assert.deepEqual(
    longTail.buckets.map((b) => b.name),
    ['head', 'torso', 'tail'],
  );
  assert.equal(
    longTail.buckets.reduce((a, b) => a + b.pairs, 0),
    161,
  );
});

test('a bad predictions line fails with file, line and field', () => {
  const bad = join(dir, 'bad.jsonl');
  writeFileSync(
    bad,
    '{"dialog_id": "x", "turn_id": 1, "items": []}\n{"dialog_id": "x", "turn_id": "one", "items": []}\n',
  );
  const run = runCli(['eval', ...inspired, '--predictions', bad]);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /bad\.jsonl:2: field "turn_id"/);
  const folder = runCli(['eval', ...inspired, '--predictions', dir]);
  assert.equal(folder.status, 1);
  assert.match(folder.stderr, /is a folder; expected a JSONL file/);
  assert.ok(folder.stderr.includes(dir));
  const empty = join(dir, 'empty.jsonl');
  writeFileSync(empty, '');
  const none = runCli(['eval', ...inspired, '--predictions', empty]);
  assert.equal(none.status, 1, 'no prediction for any context is a failure, not all-zero metrics');
  assert.match(none.stderr, /empty\.jsonl: holds no predictions/);
  const unknown = runCli(['baseline', ...inspired, '--model', 'nope']);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /unknown recommender "nope"/);
});
