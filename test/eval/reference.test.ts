import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { PACKAGE_ROOT, resolveDataDir } from '../../src/config/paths.js';
import { runCliJson } from './run-cli.js';

/**
 * Cross-check against an independent Python implementation of FNSCRS final_evaluation.py
 * (fixtures/reference_eval.py, standard library only): every metric it prints must equal `crsaug eval --json`.
 */
const SCRIPT = join(PACKAGE_ROOT, 'test', 'eval', 'fixtures', 'reference_eval.py');
const python = spawnSync('python3', ['--version']);
const skip =
  python.error || python.status !== 0
    ? 'python3 is not installed: the reference cross-check needs it'
    : false;
const dataRoot = resolveDataDir(undefined).dir;
const dir = mkdtempSync(join(tmpdir(), 'crsaug-reference-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Reference pair counts; INSPIRED valid includes the non-item label "" (entity 3118), which can never be hit. */
const EXPECTED_PAIRS: Record<string, number> = {
  'inspired/test': 161,
  'inspired/valid': 164,
  'redial/test': 4036,
};

function referenceMetrics(dataset: string, split: string, predictions: string): Record<string, number> {
  const run = spawnSync(
    'python3',
    [SCRIPT, '--data', join(dataRoot, dataset), '--split', split, '--predictions', predictions],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout);
}

function assertSameMetrics(dataset: string, split: string, predictions: string): void {
  const ours = runCliJson(['eval', '--dataset', dataset, '--split', split, '--predictions', predictions]);
  const reference = referenceMetrics(dataset, split, predictions);
  assert.equal(reference.pairs, EXPECTED_PAIRS[`${dataset}/${split}`]);
  assert.ok(Object.keys(reference).length >= 40, 'the reference prints every metric');
  for (const [key, expected] of Object.entries(reference)) {
    const actual = ours[key as `${string}@${number}`];
    assert.ok(
      typeof actual === 'number' && Math.abs(actual - expected) <= 1e-9,
      `${dataset} ${predictions} ${key}: crsaug ${actual}, reference ${expected}`,
    );
  }
}

/**
 * Predictions that exercise the reader: each context's own entity names first (items to be removed, non-item
 * names, repeats), an unknown name, then the given list reversed; every 7th context has no line and one line
 * matches no context.
 */
function trickyPredictions(dataset: string, split: string, base: string): string {
  const processed = readFileSync(join(dataRoot, dataset, `${split}_data_processed.jsonl`), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { dialog_id: string | number; turn_id: number; entity: string[] });
  const entityOf = new Map(processed.map((p) => [`${p.dialog_id}#${p.turn_id}`, p.entity]));
  const lines = readFileSync(base, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { dialog_id: string; turn_id: number; items: string[] });
  const out = lines
    .filter((_, i) => i % 7 !== 3)
    .map((l) => ({
      ...l,
      items: [
        ...(entityOf.get(`${l.dialog_id}#${l.turn_id}`) ?? []),
        'No Such Movie (1900)',
        ...[...l.items].reverse(),
      ],
    }));
  out.push({ dialog_id: 'no-such-dialog', turn_id: 0, items: ['No Such Movie (1900)'] });
  const file = join(dir, `${dataset}-${split}-tricky.jsonl`);
  writeFileSync(file, `${out.map((o) => JSON.stringify(o)).join('\n')}\n`);
  return file;
}

for (const [dataset, split] of [
  ['inspired', 'test'],
  ['inspired', 'valid'],
  ['redial', 'test'],
] as const) {
  test(`${dataset} ${split}: crsaug eval equals the Python reference (popularity, random, tricky predictions)`, {
    skip,
  }, () => {
    const popularity = join(dir, `${dataset}-${split}-popularity.jsonl`);
    const random = join(dir, `${dataset}-${split}-random.jsonl`);
    const on = ['--dataset', dataset, '--split', split];
    runCliJson(['baseline', ...on, '--model', 'popularity', '--predictions-out', popularity]);
    runCliJson(['baseline', ...on, '--model', 'random', '--seed', '7', '--predictions-out', random]);
    assertSameMetrics(dataset, split, popularity);
    assertSameMetrics(dataset, split, random);
    assertSameMetrics(dataset, split, trickyPredictions(dataset, split, popularity));
  });
}
