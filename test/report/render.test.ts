import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { PACKAGE_ROOT } from '../../src/config/paths.js';
import { escapeHtml, html } from '../../src/report/html.js';
import { parseReportInput } from '../../src/report/parse.js';
import { renderReport } from '../../src/report/render.js';
import { resultMetrics } from '../../src/report/sections/results.js';
import { writeReport } from '../../src/report/write.js';
import { FIXTURE_FILE, loadFixture } from './fixture.js';

const run = promisify(execFile);
const CLI = join(PACKAGE_ROOT, 'dist', 'src', 'cli', 'index.js');
const HOSTILE = '</script><img src=x onerror=alert(1)>"\'&';

test('interpolated strings are escaped unless already markup', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  const inner = html`<b>${'<i>'}</b>`;
  assert.equal(
    html`<p>${inner}${[1, ' & ', null, undefined, false]}</p>`.value,
    '<p><b>&lt;i&gt;</b>1 &amp; </p>',
  );
});

test('user content from every part of the input renders as text', () => {
  const input = loadFixture();
  input.run.name = HOSTILE;
  input.run.notes = [HOSTILE];
  input.run.config = { prompt: HOSTILE };
  input.examples!.contexts[0].dialogue.push({ role: 'User', text: HOSTILE });
  input.examples!.contexts[0].candidates[0].name = HOSTILE;
  input.experiments![0].title = HOSTILE;
  input.results.rows[1].model = HOSTILE;
  const page = renderReport(input);
  assert.doesNotMatch(page, /<img|<script|onerror=alert\(1\)>/i);
  const escaped = '&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp;';
  // Title, h1, note, config, dialogue, candidate, experiment heading, SVG title, results table, legend…
  assert.ok(page.split(escaped).length - 1 >= 9, 'every occurrence is escaped');
});

test('the fixture report has every section, the table values and the charts', () => {
  const input = loadFixture();
  const page = renderReport(input);
  assert.match(page, /^<!doctype html>\n<html lang="en">/);
  assert.match(page, /<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;/);
  const headings = [...page.matchAll(/<h2 id="([\w-]+)-h">/g)].map((m) => m[1]);
  assert.deepEqual(headings, ['run', 'dataset', 'results', 'experiments', 'examples', 'cost', 'config']);
  // R@10 (primary), R@1 and R@50 by model and mode, and the experiments and cost charts
  assert.equal(page.match(/<svg class="chart"/g)?.length, 10);
  // bow-linear stage2 mean ± std of recall@10, as the fixture's seeds give it, and its adjusted p < 0.01 mark,
  // with the difference from the baseline and its interval in the cell's title.
  const row = input.results.rows.find((r) => r.model === 'bow-linear' && r.mode === 'stage2')!;
  const comparison = input.results.comparisons!.find(
    (c) => c.model === 'bow-linear' && c.mode === 'stage2' && c.metric === 'recall@10',
  )!;
  const points = (x: number) => `${x >= 0 ? '\\+' : '−'}${Math.abs(100 * x).toFixed(2)}`;
  const title = `difference ${points(comparison.diff)} \\[${points(comparison.ci95[0])}, ${points(comparison.ci95[1])}\\], adjusted p = 0\\.008`;
  const cell = `${(row.mean['recall@10'] * 100).toFixed(2)} ± ${(row.std['recall@10'] * 100).toFixed(2)}`;
  assert.match(
    page,
    new RegExp(
      `<td class="num best" title="${title}"><span class="value">${cell}</span><sup class="sig">\\*\\*</sup>`,
    ),
  );
  // The comparisons table: one row per comparison, with the raw and the adjusted p.
  assert.equal(page.match(/<table class="data compact comparisons">/g)?.length, 1);
  assert.match(
    page,
    /<td>Recall@10<\/td><td class="num">\+[\d.]+<\/td><td class="num">[−+][\d.]+ … [−+][\d.]+<\/td><td class="num">0\.004<\/td><td class="num">0\.008<\/td>/,
  );
  assert.match(page, /<th scope="col" class="num">Recall@10 \(%\)<\/th>/);
  assert.match(page, /Offline stand-ins were used\./);
  assert.match(page, /<td class="num">1,284,330<\/td>/);
  assert.match(page, /<th scope="row">Total<\/th>.*<td class="num">\$0\.27<\/td>/);
  assert.match(page, /<details class="example" open>/);
  assert.equal(page.match(/<details class="example"/g)?.length, 3);
});

test('optional parts are left out, and unknowns say unknown', () => {
  const input = loadFixture();
  delete input.examples;
  input.experiments = [];
  input.run.providers = input.run.providers.filter((p) => !p.offline);
  input.cost = [input.cost![1], { ...input.cost![2], tokens: null, costUsd: null }];
  const page = renderReport(input);
  const headings = [...page.matchAll(/<h2 id="([\w-]+)-h">/g)].map((m) => m[1]);
  assert.deepEqual(headings, ['run', 'dataset', 'results', 'cost', 'config']);
  assert.doesNotMatch(page, /Offline stand-ins/);
  assert.match(page, /≥ 1,284,330 <span class="muted small">\(1 unknown\)<\/span>/);
  assert.match(page, /≥ \$0\.27 /);
  assert.match(page, /est\. cost unknown/);
});

test('writeReport writes the page and the validated input, which renders the same page again', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'crsaug-report-write-')), 'nested');
  const files = await writeReport(dir, loadFixture());
  const saved = JSON.parse(readFileSync(files.json, 'utf8'));
  assert.equal(saved.run.name, 'fixture');
  assert.equal(readFileSync(files.html, 'utf8'), renderReport(saved));
});

test('crsaug report renders a report input into the --out folder, and names the bad field of a broken one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-report-cli-'));
  const out = join(dir, 'out');
  const { stdout } = await run(process.execPath, [CLI, 'report', '--in', FIXTURE_FILE, '--out', out]);
  assert.match(stdout, /^wrote .*out\/report\.html \(\d+\.\d KiB\) and .*out\/report\.json\n$/);
  assert.ok(readFileSync(join(out, 'report.html'), 'utf8').includes('<h1>fixture</h1>'));

  const broken = loadFixture();
  broken.results.rows[0].seeds = [];
  const bad = join(dir, 'results.json');
  writeFileSync(bad, JSON.stringify(broken));
  await assert.rejects(
    run(process.execPath, [CLI, 'report', '--in', bad]),
    (err: { code: number; stderr: string }) => {
      assert.equal(err.code, 1);
      assert.match(err.stderr, /^crsaug: .*results\.json: field "results\.rows\.0\.seeds": /);
      assert.doesNotMatch(err.stderr, /\n\s+at /);
      return true;
    },
  );
  assert.equal(existsSync(join(dir, 'report.html')), false);
});

test('crsaug report --in takes what crsaug run writes: the run folder, its results.json or its report.json', async () => {
  const runDir = mkdtempSync(join(tmpdir(), 'crsaug-report-run-'));
  // results.json holds the metrics only (no schemaVersion); report.json is the report input beside it
  writeFileSync(
    join(runDir, 'results.json'),
    JSON.stringify({ dataset: 'inspired', split: 'test', results: {} }),
  );
  writeFileSync(join(runDir, 'report.json'), readFileSync(FIXTURE_FILE));
  for (const input of [join(runDir, 'results.json'), runDir, join(runDir, 'report.json')]) {
    const { stdout } = await run(process.execPath, [CLI, 'report', '--in', input, '--json']);
    const files = JSON.parse(stdout);
    assert.equal(files.html, join(runDir, 'report.html'), input);
    assert.ok(readFileSync(files.html, 'utf8').includes('<h1>fixture</h1>'), input);
  }
  const alone = mkdtempSync(join(tmpdir(), 'crsaug-report-alone-'));
  writeFileSync(join(alone, 'results.json'), JSON.stringify({ dataset: 'inspired', results: {} }));
  await assert.rejects(
    run(process.execPath, [CLI, 'report', '--in', join(alone, 'results.json')]),
    (err: { code: number; stderr: string }) =>
      err.code === 1 &&
      /results\.json: holds a run's metrics .* no report\.json is beside it/.test(err.stderr),
  );
});

test('without declared metrics the table shows the paper protocol keys, ordered by family and k', () => {
  const input = loadFixture();
  delete input.results.metrics;
  for (const row of input.results.rows) {
    for (const target of [row.mean, row.std, ...row.seeds.map((s) => s.metrics)]) {
      Object.assign(target, { 'unfiltered.recall@10': 0.1, pairs: 161, 'recall@5': 0.05, 'coverage@10': 40 });
    }
    row.std['unfiltered.recall@10'] = 0;
  }
  const results = parseReportInput(input).results;
  assert.deepEqual(resultMetrics(results), [
    'recall@1',
    'recall@5',
    'recall@10',
    'recall@50',
    'ndcg@10',
    'mrr@10',
  ]);
});

test('the beyond-labels section: judged figures each with their coverage, success@k by turn per mode', () => {
  const input = loadFixture();
  const meanStd = (mean: number, std = 0.01) => ({ mean, std });
  input.judged = {
    k: 10,
    description: 'Judged on 120 of 144 evaluated test contexts.',
    rows: [
      {
        model: 'kbrd',
        mode: 'baseline',
        seeds: 5,
        ndcg: meanStd(0.24),
        precision: meanStd(0.1),
        coverage: meanStd(0.884),
        condensedNdcg: meanStd(0.26),
        condensedPrecision: meanStd(0.11),
      },
      {
        model: 'kbrd',
        mode: 'stage2',
        seeds: 5,
        ndcg: meanStd(0.27),
        precision: meanStd(0.12),
        coverage: meanStd(0.612),
        condensedNdcg: meanStd(0.33),
        condensedPrecision: meanStd(0.15),
      },
    ],
  };
  const byTurn = (start: number) => ({
    '10': [0, 1, 2].map((t) => meanStd(start + 0.02 * t)),
    '50': [0, 1, 2].map((t) => meanStd(start + 0.1 + 0.02 * t)),
  });
  input.simulation = [
    {
      simulator: 'attribute',
      description: 'attribute simulator (no LLM)',
      turns: 3,
      k: 10,
      rows: [
        { model: 'kbrd', mode: 'baseline', seeds: 5, successByTurn: byTurn(0.18) },
        { model: 'kbrd', mode: 'stage2', seeds: 5, successByTurn: byTurn(0.21) },
      ],
      excluded: [{ model: 'embed-head', mode: 'baseline', reason: 'it ranks from precomputed embeddings' }],
    },
  ];
  const page = renderReport(input);
  assert.match(page, /<h2 id="beyond-labels-h">.*Beyond single labels/);
  // Both judged figures of a row carry the coverage of the same lists.
  assert.equal((page.match(/coverage 88\.4%/g) ?? []).length, 2);
  assert.equal((page.match(/coverage 61\.2%/g) ?? []).length, 2);
  assert.match(page, /<svg[^>]*id="chart-sim-0"/);
  assert.match(page, /Success@10 by turn, attribute simulator/);
  // The last turn's success at each k, and who was not simulated and why.
  assert.match(page, /25\.00 ± 1\.00/);
  assert.match(page, /Not simulated: embed-head baseline \(it ranks from precomputed embeddings\)/);
  const plain = renderReport(loadFixture());
  assert.doesNotMatch(plain, /Beyond single labels/, 'no section without judged or simulated results');
});
