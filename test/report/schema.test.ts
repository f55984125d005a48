import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseReportInput, readReportInput } from '../../src/report/parse.js';
import { resultRow } from '../../src/report/result-row.js';
import { FIXTURE_FILE, loadFixture } from './fixture.js';

/** Asserts the input is rejected with a message naming `field`. */
function rejects(input: unknown, field: string, problem: RegExp): void {
  assert.throws(
    () => parseReportInput(input),
    (err: Error) => {
      assert.equal(err.name, 'InputError');
      assert.ok(err.message.startsWith(`field "${field}": `), err.message);
      assert.match(err.message, problem);
      return true;
    },
  );
}

test('the fixture is a valid report input and defaults fill the optional parts', () => {
  const input = loadFixture();
  delete input.run.notes;
  delete (input as { cost?: unknown }).cost;
  const parsed = parseReportInput(input);
  assert.deepEqual(parsed.run.notes, []);
  assert.deepEqual(parsed.cost, []);
  assert.equal(parsed.results.rows.length, 8);
});

test('a missing or mistyped field is named by its path', () => {
  const noName = loadFixture();
  delete (noName.run as { name?: string }).name;
  rejects(noName, 'run.name', /expected string/i);

  const badDate = loadFixture();
  badDate.run.createdAt = 'yesterday';
  rejects(badDate, 'run.createdAt', /datetime/i);

  const badRole = loadFixture();
  (badRole.examples!.contexts[1].dialogue[0] as { role: string }).role = 'System';
  rejects(badRole, 'examples.contexts.1.dialogue.0.role', /User|Recommender/);

  const badPair = loadFixture();
  badPair.dataset.splits[2].pairs = -1;
  rejects(badPair, 'dataset.splits.2.pairs', />=0|too small/i);
});

test('a mean that is not the mean of its seeds is rejected', () => {
  const input = loadFixture();
  input.results.rows[1].mean['recall@10'] += 0.01;
  // Short numbers: float noise such as 0.10329999999999999 would hide the disagreement.
  rejects(input, 'results.rows.1.mean.recall@10', /: is \d\.\d{1,8} but the seeds average \d\.\d{1,8}$/);

  const noStd = loadFixture();
  delete noStd.results.rows[2].std['recall@50'];
  rejects(noStd, 'results.rows.2.std.recall@50', /missing/);
});

test('table and chart shapes must agree', () => {
  const shortRow = loadFixture();
  shortRow.experiments![0].table!.rows[2].pop();
  rejects(shortRow, 'experiments.0.table.rows.2', /2 cells but the table has 3 columns/);

  const bars = loadFixture();
  const barChart = bars.experiments![3].chart as { series: { values: unknown[] }[] };
  barChart.series[1].values.pop();
  rejects(bars, 'experiments.3.chart.series.1.values', /3 values for 4 categories/);

  const bins = loadFixture();
  const histogram = bins.experiments![4].chart as { binEdges: number[] };
  histogram.binEdges[3] = histogram.binEdges[2];
  rejects(bins, 'experiments.4.chart.binEdges.3', /increase/);

  const kind = loadFixture();
  (kind.experiments![0].chart as { kind: string }).kind = 'pie';
  rejects(kind, 'experiments.0.chart.kind', /line|bar|histogram|discriminator/i);
});

test('experiment ids are unique slugs', () => {
  const duplicate = loadFixture();
  duplicate.experiments![2].id = duplicate.experiments![0].id;
  rejects(duplicate, 'experiments.2.id', /duplicate id "threshold"/);

  const spaces = loadFixture();
  spaces.experiments![1].id = 'Alpha sweep';
  rejects(spaces, 'experiments.1.id', /slug/);
});

test('reading a file names the file, and the line of broken JSON', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-report-schema-'));
  const file = join(dir, 'results.json');
  const input = loadFixture();
  input.cost![1].llmCalls = 2.5;
  writeFileSync(file, JSON.stringify(input));
  assert.throws(
    () => readReportInput(file),
    (err: Error) => err.message.startsWith(`${file}: field "cost.1.llmCalls": `),
  );

  writeFileSync(file, '{\n  "schemaVersion": 1,\n  "run": {,\n}');
  assert.throws(
    () => readReportInput(file),
    (err: Error) => err.message.startsWith(`${file}:3: not valid JSON`),
  );
  assert.throws(() => readReportInput(join(dir, 'absent.json')), /missing file: .*absent\.json/);
  assert.equal(readReportInput(FIXTURE_FILE).input.run.name, 'fixture');
});

test('resultRow aggregates seeds into a row the schema accepts', () => {
  const row = resultRow('bow-linear', 'stage2', [
    { seed: 1, metrics: { 'recall@10': 0.1, pairs: 161 } },
    { seed: 2, metrics: { 'recall@10': 0.2, pairs: 161 } },
    { seed: 3, metrics: { 'recall@10': 0.3, pairs: 161 } },
  ]);
  assert.ok(Math.abs(row.mean['recall@10'] - 0.2) < 1e-12);
  assert.ok(Math.abs(row.std['recall@10'] - 0.1) < 1e-12);
  assert.equal(row.std.pairs, 0);
  const input = loadFixture();
  input.results.rows = [row];
  input.results.metrics = ['recall@10'];
  input.results.primaryMetric = 'recall@10';
  assert.deepEqual(parseReportInput(input).results.rows[0], row);
});
