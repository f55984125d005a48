import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { runPipeline } from '../../src/pipeline/run.js';

const root = mkdtempSync(join(tmpdir(), 'crsaug-run-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** A small but complete run: one seed, one epoch per stage, on INSPIRED (offline defaults). */
function smallConfig(overrides: Record<string, unknown> = {}): Config {
  return resolveConfig({
    cwd: root,
    env: {},
    flags: {
      dataset: 'inspired',
      cacheDir: join(root, 'cache'),
      train: { epochs: 1, seeds: 1 },
      run: { stage1Epochs: 1, examples: 2 },
      ...overrides,
    },
  });
}

/** The stage a progress line names: `[3/10] distill: computing …` → distill. */
const stageOf = (line: string) => /^\[\d+\/10\] ([\w-]+): /.exec(line)?.[1];

test('crsaug run: every stage runs once, results are keyed by model/mode/seed, a rerun reuses everything', async () => {
  const out = join(root, 'run');
  const first: string[] = [];
  const outcome = await runPipeline(smallConfig(), out, (line) => first.push(line));
  assert.deepEqual(
    first.filter((l) => l.includes('computing')).map((l) => stageOf(l)),
    [
      'retrieve',
      'teacher',
      'distill',
      'synthesize',
      'train-kbrd-baseline',
      'train-kbrd-stage1',
      'train-kbrd-stage2',
      'train-kbrd-stage2-prior',
      'train-kbrd-stage2-noKL',
      'train-kbrd-mixed',
    ],
  );
  // the synthetic labels under a stable name in the run folder, with what made them
  const stable = join(out, 'synthetic', 'train.synthetic.jsonl');
  assert.equal(readFileSync(stable, 'utf8'), readFileSync(outcome.synthesized.value.file, 'utf8'));
  const summary = JSON.parse(readFileSync(join(out, 'synthetic', 'summary.json'), 'utf8'));
  assert.equal(summary.labels, outcome.synthesized.value.labels);
  assert.equal(summary.threshold, 3.5);
  assert.deepEqual(
    summary.providers.map((p: { role: string }) => p.role),
    ['embedder', 'teacher'],
  );
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
  assert.deepEqual(Object.keys(results.results.kbrd), [
    'baseline',
    'stage1',
    'stage2',
    'stage2-prior',
    'stage2-noKL',
    'mixed',
  ]);
  const baseline = results.results.kbrd.baseline['42'];
  assert.equal(baseline.pairs, 161, 'INSPIRED test has 161 evaluated pairs');
  assert.ok(baseline['recall@50'] > 0 && baseline['recall@50'] <= 1);
  assert.ok(results.results.popularity.baseline['42']['recall@50'] > 0.3);
  // Every augmented mode against the baseline on R@1/10/50; with one seed the seed variance cannot be counted.
  const comparisons = results.comparisons as Record<string, unknown>[];
  assert.deepEqual(comparisons.map((c) => `${c.model} ${c.mode} vs ${c.against} ${c.metric}`).slice(0, 3), [
    'kbrd stage1 vs baseline recall@1',
    'kbrd stage1 vs baseline recall@10',
    'kbrd stage1 vs baseline recall@50',
  ]);
  assert.equal(comparisons.length, 5 * 3);
  for (const c of comparisons as {
    diff: number;
    ci95: number[];
    p: number;
    pAdjusted: number;
    method: string;
  }[]) {
    assert.ok(c.ci95[0] <= c.diff && c.diff <= c.ci95[1], JSON.stringify(c));
    assert.ok(c.p >= 0 && c.pAdjusted >= c.p && c.pAdjusted <= 1, JSON.stringify(c));
    assert.match(c.method, /^fixed models \(one seed/);
  }
  assert.deepEqual(Object.keys(results.retrieval.goldInTopK), ['train', 'valid', 'test']);
  const gold = results.retrieval.goldInTopK;
  // Fitted on item texts only, the retriever cannot learn the train labels: train is not ahead of valid.
  assert.ok(gold.train > 0.1 && gold.train < gold.valid + 0.03, JSON.stringify(gold));
  assert.ok(existsSync(join(out, 'config.resolved.json')));
  assert.ok(outcome.synthesized.value.labels > 0, 'the student keeps some candidates as synthetic labels');
  assert.equal(outcome.synthesized.value.examples.length, 2);

  const second: string[] = [];
  const again = await runPipeline(smallConfig(), out, (line) => second.push(line));
  assert.equal(second.filter((l) => l.includes('computing')).length, 0, second.join('\n'));
  assert.deepEqual(again.results, outcome.results, 'a rerun reads the same results back');

  const third: string[] = [];
  await runPipeline(smallConfig({ augment: { synthesize: { threshold: 3 } } }), out, (line) =>
    third.push(line),
  );
  const recomputed = third.filter((l) => l.includes('computing')).map((l) => stageOf(l));
  assert.deepEqual(
    recomputed,
    [
      'synthesize',
      'train-kbrd-stage1',
      'train-kbrd-stage2',
      'train-kbrd-stage2-prior',
      'train-kbrd-stage2-noKL',
      'train-kbrd-mixed',
    ],
    'a new threshold recomputes synthesis and what trains on it, not retrieval, the teacher, distillation or the baseline',
  );
});
