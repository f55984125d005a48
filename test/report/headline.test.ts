import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatScore } from '../../src/report/format.js';
import { parseReportInput } from '../../src/report/parse.js';
import { renderReport } from '../../src/report/render.js';
import { loadFixture } from './fixture.js';

/** The text of the page's cards (the headline), tags removed. */
function cardsText(page: string): string {
  const cards = /<div class="cards">([\s\S]*?)<\/div><section/.exec(page)?.[1] ?? page.slice(0, 4000);
  return cards.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

test('the headline counts LLM calls only when an LLM was called', () => {
  const offline = loadFixture();
  offline.cost = offline.cost!.map((s) => ({ ...s, llmCalls: 0, cachedCalls: undefined, costUsd: 0 }));
  const text = cardsText(renderReport(offline));
  assert.match(text, /no LLM called/);
  assert.doesNotMatch(text, /0 LLM calls|est\. cost/);
  assert.match(cardsText(renderReport(loadFixture())), /2,000 LLM calls · est\. cost/);
});

test("the headline shows the comparison's adjusted p and whether it is significant", () => {
  const input = loadFixture();
  const comparison = input.results.comparisons!.find(
    (c) => c.model === 'bow-linear' && c.mode === 'stage2' && c.metric === 'recall@10',
  )!;
  comparison.pAdjusted = 0.42;
  comparison.p = 0.21;
  assert.match(
    cardsText(renderReport(input)),
    /bow-linear · Recall@10 .* p = 0\.420 \(adjusted\): not significant/,
  );
  comparison.pAdjusted = 0.0004;
  comparison.p = 0.0001;
  assert.match(cardsText(renderReport(input)), /p &lt; 0\.001 \(adjusted\): significant at 5 %/);
});

test('a score is shown with the precision that decides against the threshold', () => {
  assert.equal(formatScore(3.495, 3.5), '3.495');
  assert.equal(formatScore(3.4999, 3.5), '3.4999');
  assert.equal(formatScore(3.5, 3.5), '3.50');
  assert.equal(formatScore(3.504, 3.5), '3.50');
  assert.equal(formatScore(2.11, 3.5), '2.11');
  const input = loadFixture();
  const candidate = input.examples!.contexts[0]!.candidates[0]!;
  candidate.studentScore = 3.495;
  candidate.kept = false;
  const page = renderReport(input);
  assert.ok(page.includes('3.495'), 'the example shows 3.495, not 3.50');
});

test('R@1 and R@50 are charted beside the primary metric', () => {
  const page = renderReport(loadFixture());
  for (const id of ['chart-main', 'chart-recall-1', 'chart-recall-50'])
    assert.ok(page.includes(`id="${id}`), id);
});

test('the page links the run’s synthetic dataset; links are relative paths only', () => {
  const input = loadFixture();
  input.run.links = [
    { label: 'Synthetic dataset', href: 'synthetic/train.synthetic.jsonl', description: '4,579 labels' },
  ];
  assert.ok(renderReport(input).includes('<a href="synthetic/train.synthetic.jsonl">Synthetic dataset</a>'));
  input.run.links = [{ label: 'x', href: 'javascript:alert(1)' }];
  assert.throws(() => parseReportInput(input), /run\.links\.0\.href.*relative path/);
});
