import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { reportInputOf } from '../../src/pipeline/report-input.js';
import type { RerankValue } from '../../src/pipeline/rerank.js';
import { type RunResults, runPipeline } from '../../src/pipeline/run.js';
import { renderReport } from '../../src/report/index.js';
import { runCli } from '../eval/run-cli.js';

const MODES = ['baseline', 'stage1', 'stage2', 'stage2-prior', 'stage2-noKL', 'mixed', 'rerank'];
/** The modes with checkpoints, which the judged and simulated evaluations re-run (rerank has none). */
const CHECKPOINTED = MODES.filter((m) => m !== 'rerank');

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
const stageOf = (line: string) => /^\[(?:\d+\/\d+|\+)\] ([\w-]+): /.exec(line)?.[1];

/** Every stage a run computed had its place in the run's plan (a stage missing from it logs "[+]"). */
function assertPlanned(log: string[]): void {
  const computed = log.filter((l) => l.includes('computing'));
  assert.ok(computed.length > 0);
  assert.deepEqual(
    computed.filter((l) => l.startsWith('[+]')),
    [],
  );
}

test('crsaug run: every stage runs once, results are keyed by model/mode/seed, a rerun reuses everything', async () => {
  const out = join(root, 'run');
  const first: string[] = [];
  const outcome = await runPipeline(smallConfig(), out, (line) => first.push(line));
  assertPlanned(first);
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
      'rerank-kbrd-rerank',
      ...['popularity-baseline', ...CHECKPOINTED.map((m) => `kbrd-${m}`)].map((g) => `judged-${g}`),
      ...['popularity-baseline', ...CHECKPOINTED.map((m) => `kbrd-${m}`)].map(
        (g) => `simulate-attribute-${g}`,
      ),
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
  assert.deepEqual(Object.keys(results.results.kbrd), MODES);
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
  // … and, but for rerank (no checkpoint to re-run), on judged nDCG@10 and precision@10 (plain and condensed)
  // and simulated success@10 at the last turn.
  assert.equal(comparisons.length, 6 * 3 + 5 * 4 + 5);
  assert.deepEqual(
    [...new Set(comparisons.map((c) => c.metric))],
    [
      'recall@1',
      'recall@10',
      'recall@50',
      'judged.ndcg@10',
      'judged.precision@10',
      'judged.condensed.ndcg@10',
      'judged.condensed.precision@10',
      'simulated.attribute.turn5.success@10',
    ],
  );
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
  assertBeyondLabels(results, out);
  const html = renderReport(
    reportInputOf(outcome, smallConfig(), { name: 'small', version: '0', command: 'test' }),
  );
  assert.match(html, /Beyond single labels/);
  assert.match(html, /id="chart-sim-0"/);
  assert.equal((html.match(/coverage \d+\.\d%/g) ?? []).length, 2 * 7, 'a coverage under each judged figure');
  // `eval --run` evaluates the run folder on its own artifact store: everything is reused, the same numbers.
  const evaluated = runCli(['eval', '--run', out, '--judged', '--simulate', 'attribute', '--json']);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  assert.doesNotMatch(evaluated.stderr, /computing/);
  const reevaluated = JSON.parse(evaluated.stdout);
  assert.deepEqual(reevaluated.judged, results.judged);
  assert.deepEqual(reevaluated.simulation, results.simulation);
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
  // rerank re-orders the baseline's lists: no synthetic label reaches it.
  const augmented = CHECKPOINTED.filter((m) => m !== 'baseline').map((m) => `kbrd-${m}`);
  assert.deepEqual(
    recomputed,
    [
      'synthesize',
      ...augmented.map((g) => `train-${g}`),
      ...augmented.map((g) => `judged-${g}`),
      ...augmented.map((g) => `simulate-attribute-${g}`),
    ],
    'a new threshold recomputes synthesis and what trains on it (and their evaluations), not retrieval, the teacher, distillation, the baseline or popularity',
  );
});

/** results.json's judged metrics, simulation and checkpoints. */
function assertBeyondLabels(results: RunResults, out: string): void {
  const { simulation, checkpoints } = results;
  const judged = results.judged!;
  // ../shared/judgments holds INSPIRED test: 120 of the 144 evaluated contexts.
  assert.deepEqual(
    [judged.split, judged.ks, judged.contexts, judged.evaluatedContexts],
    ['test', [10], 120, 144],
  );
  assert.deepEqual(Object.keys(judged.results.kbrd), CHECKPOINTED);
  for (const [model, modes] of Object.entries(judged.results)) {
    for (const [mode, seeds] of Object.entries(modes)) {
      const m = seeds['42']!;
      for (const key of ['judged.ndcg@10', 'judged.precision@10', 'judged.coverage@10'])
        assert.ok(m[key]! >= 0 && m[key]! <= 1, `${model} ${mode} ${key} = ${m[key]}`);
      // Precision counts judged-relevant items only, so it is at most the judged share of the list.
      assert.ok(m['judged.precision@10']! <= m['judged.coverage@10']! + 1e-12, `${model} ${mode}`);
    }
  }
  // Popularity's top 10 was in the judged pool: fully covered.
  assert.equal(judged.results.popularity!.baseline!['42']!['judged.coverage@10'], 1);

  assert.equal(simulation.length, 1);
  const sim = simulation[0]!;
  assert.deepEqual(
    [sim.simulator, sim.turns, sim.ks, sim.dialogues, sim.split],
    ['attribute', 5, [1, 10, 50], 144, 'test'],
  );
  assert.match(sim.sample, /^all 144 test contexts with a target/);
  assert.deepEqual(Object.keys(sim.results.kbrd!), CHECKPOINTED);
  assert.deepEqual(sim.excluded, []);
  for (const modes of Object.values(sim.results)) {
    for (const r of Object.values(modes)) {
      for (const k of ['1', '10', '50']) {
        const byTurn = r.mean.successByTurn[k]!;
        assert.equal(byTurn.length, 5);
        // success by turn never falls, and a larger k never succeeds less.
        for (let t = 1; t < 5; t++) assert.ok(byTurn[t]! >= byTurn[t - 1]!);
      }
      assert.ok(r.mean.successByTurn['50'][4] >= r.mean.successByTurn['10'][4]);
      assert.deepEqual(r.mean.successByTurn, r.seeds['42'].successByTurn, 'one seed: its mean is itself');
    }
  }
  assert.deepEqual(Object.keys(checkpoints.kbrd!), CHECKPOINTED);
  assert.ok(existsSync(join(out, checkpoints.kbrd.stage2.seeds['42'], 'model.safetensors')));
}

test('run.modes: the listed modes are trained and reported in order, their prerequisites trained but not reported', async () => {
  assert.throws(() => smallConfig({ run: { modes: ['stage2'] } }), /must include "baseline"/);
  assert.throws(() => smallConfig({ run: { modes: ['baseline', 'no-such-mode'] } }), /run\.modes/);
  const out = join(root, 'modes');
  const log: string[] = [];
  const config = smallConfig({
    run: {
      stage1Epochs: 1,
      examples: 0,
      modes: ['baseline', 'rerank', 'stage2-soft'],
      soft: { threshold: 3 },
      rerank: { weights: [0, 0.5, 2] },
    },
  });
  const outcome = await runPipeline(config, out, (line) => log.push(line));
  assertPlanned(log);
  const computed = log.filter((l) => l.includes('computing')).map((l) => stageOf(l));
  assert.deepEqual(computed.slice(4), [
    'train-kbrd-baseline',
    'rerank-kbrd-rerank',
    'synthesize',
    'train-kbrd-stage1-soft',
    'train-kbrd-stage2-soft',
    ...['popularity-baseline', 'kbrd-baseline', 'kbrd-stage2-soft'].map((g) => `judged-${g}`),
    ...['popularity-baseline', 'kbrd-baseline', 'kbrd-stage2-soft'].map((g) => `simulate-attribute-${g}`),
  ]);
  assert.deepEqual(Object.keys(outcome.results.results.kbrd!), ['baseline', 'rerank', 'stage2-soft']);
  assert.deepEqual(
    outcome.results.comparisons.filter((c) => c.metric === 'recall@50').map((c) => c.mode),
    ['rerank', 'stage2-soft'],
  );
  const rerank = outcome.trained.kbrd!.rerank!.value as RerankValue;
  assert.deepEqual(
    rerank.rerank.valid.map((v) => v.weight),
    [0, 0.5, 2],
  );
  const best = Math.max(...rerank.rerank.valid.map((v) => v.value));
  assert.equal(rerank.rerank.valid.find((v) => v.weight === rerank.rerank.weight)!.value, best);
  // Weight 0 is the baseline itself: the same valid metric as the model it re-ranks.
  const baseline = outcome.trained.kbrd!.baseline!.value.runs[0]!;
  assert.equal(rerank.rerank.valid[0]!.value, baseline.valid['recall@50']);
  assert.equal(rerank.runs[0]!.validPairRanks!.length, baseline.valid.pairs);
});

test("threshold 'auto': each threshold of the grid trains stage 1 and stage 2; the best on valid is the run's", async () => {
  const out = join(root, 'auto');
  const log: string[] = [];
  const outcome = await runPipeline(
    smallConfig({
      augment: { synthesize: { threshold: 'auto', autoThresholds: [3, 3.5] } },
      run: { stage1Epochs: 1, examples: 0, modes: ['baseline', 'stage2'] },
    }),
    out,
    (line) => log.push(line),
  );
  const choice = outcome.results.thresholdChoice!;
  assert.deepEqual(
    choice.tried.map((t) => t.threshold),
    [3, 3.5],
  );
  assert.ok(choice.tried[0]!.labels > choice.tried[1]!.labels, 'a lower threshold keeps more labels');
  const best = choice.tried.reduce((a, b) => (b.value > a.value ? b : a));
  assert.equal(choice.chosen, best.threshold);
  assert.equal(outcome.synthesized.value.threshold, choice.chosen);
  // The chosen threshold's stage 2 is the run's (reused, not trained again).
  assert.equal(
    outcome.results.results.kbrd!.stage2!['42']!['recall@50'],
    outcome.trained.kbrd!.stage2!.value.runs[0]!.test['recall@50'],
  );
  assert.equal(log.filter((l) => stageOf(l) === 'train-kbrd-stage2' && l.includes('computing')).length, 2);
});

test('beyond movies: opendialkg-books runs end to end on its own KG with the student distilled from movie judgments', async () => {
  const out = join(root, 'books');
  const outcome = await runPipeline(
    smallConfig({
      dataset: 'opendialkg-books',
      run: { stage1Epochs: 1, examples: 0, modes: ['baseline', 'stage2'] },
    }),
    out,
    () => {},
  );
  assert.equal(outcome.results.dataset, 'opendialkg-books');
  // No judgments of books exist: the student learns from every shipped (movie) file.
  assert.match(outcome.distilled.value.description, /inspired\/train \+ redial\/train/);
  assert.ok(outcome.synthesized.value.labels > 0);
  const gold = outcome.results.retrieval.goldInTopK;
  assert.ok(gold.valid! > 0.3, JSON.stringify(gold));
  assert.ok(outcome.results.results.kbrd!.stage2!['42']!['recall@50']! > 0);
});
