import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveDataDir } from '../../src/config/paths.js';
import { loadDataset } from '../../src/data/index.js';
import type { Dataset } from '../../src/data/types.js';
import { rankContexts } from '../../src/eval/evaluate.js';
import { loadJudgments } from '../../src/eval/judgments.js';
import { writePredictions } from '../../src/eval/predictions.js';
import { createPopularity } from '../../src/models/popularity.js';
import { createRandom } from '../../src/models/random.js';
import { writeJsonl } from '../../src/util/jsonl.js';
import { chatAnswer, MockOpenAIServer } from '../providers/mock-openai-server.js';
import { runCliAsync } from './run-cli.js';

/*
 * `crsaug judge` end to end on INSPIRED test with two predictions files as the pooled systems: offline it
 * refuses and names the batch route; export-batch → a provider answers the file (here: the mock chat server,
 * request by request) → import-batch fills the judgments file; the online judge then judges only what the
 * batch left; test judgments never become a teacher file.
 */

let dir: string;
let mock: MockOpenAIServer;
let dataset: Dataset;
const files = { popularity: '', random: '' };

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crsaug-judge-cli-'));
  // Scores 0-4 in turn, so the judgments are not all alike.
  mock = await MockOpenAIServer.start((_, i) => ({ status: 200, json: chatAnswer(`Score: ${i % 5}`) }));
  dataset = await loadDataset('inspired', { splits: ['train', 'test'] });
  const contexts = dataset.splits.test!.contexts;
  const items = dataset.catalog.items.length;
  files.popularity = join(dir, 'popularity.jsonl');
  files.random = join(dir, 'random.jsonl');
  const rank = (recommender: Parameters<typeof rankContexts>[0]) =>
    rankContexts(recommender, contexts, items, { topK: 100, silent: true });
  await writePredictions(files.popularity, contexts, rank(createPopularity(dataset)), dataset.catalog);
  await writePredictions(files.random, contexts, rank(createRandom(dataset, { seed: 7 })), dataset.catalog);
});
after(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

const crsaug = (...args: string[]) => runCliAsync(dir, args);

async function json(...args: string[]) {
  const run = await crsaug(...args, '--json');
  assert.equal(run.code, 0, run.stderr);
  return JSON.parse(run.stdout);
}

const judgeDir = () => join(dir, 'judge');
const common = (maxContexts: number) => [
  '--dataset',
  'inspired',
  '--data-dir',
  resolveDataDir(undefined).dir,
  '--out',
  judgeDir(),
  '--cache-dir',
  join(dir, 'cache'),
  '--predictions',
  files.popularity,
  files.random,
  '--max-contexts',
  String(maxContexts),
];

/** Answers a batch input file as OpenAI's Batch API would: one output line per request, by custom_id. */
async function answerBatch(batchFile: string, outputFile: string): Promise<number> {
  const lines = readFileSync(batchFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  const outputs = [];
  for (const line of lines) {
    const response = await fetch(`${mock.url}${line.url.replace(/^\/v1/, '')}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(line.body),
    });
    outputs.push({
      id: `batch_req_${outputs.length}`,
      custom_id: line.custom_id,
      response: { status_code: response.status, body: await response.json() },
      error: null,
    });
  }
  await writeJsonl(outputFile, outputs.reverse());
  return lines.length;
}

test('crsaug judge: offline only export-batch; batch round trip; the online judge judges what is left, once', async () => {
  const offline = await crsaug('judge', ...common(4));
  assert.equal(offline.code, 1);
  assert.match(offline.stderr, /judging needs a chat model/);
  assert.match(offline.stderr, /only `crsaug judge export-batch --file F` is possible/);
  assert.ok(!existsSync(judgeDir()), 'nothing is computed or written before the refusal');

  // The unjudged pool as an OpenAI Batch input file.
  const batch = join(dir, 'pool.batch.jsonl');
  const exportBatch = () =>
    json('judge', 'export-batch', ...common(4), '--file', batch, '--llm-model', 'mock-judge');
  const exported = await exportBatch();
  assert.deepEqual(exported.systems, ['popularity', 'random']);
  assert.equal(exported.contexts, 4);
  assert.ok(
    exported.judgmentFiles.some((f: string) => f.endsWith('inspired_test.jsonl')),
    'shared judgments read',
  );
  // At most 2 × 10 items + gold per context; the shared judgments already cover most of popularity's top 10.
  assert.ok(exported.unjudgedPairs > 0 && exported.unjudgedPairs < exported.pairs, JSON.stringify(exported));
  assert.equal(exported.batch.requests, exported.unjudgedPairs);
  assert.equal(exported.estimate.pairs, exported.unjudgedPairs);
  assert.ok(exported.estimate.estimatedInputTokens > 100 * exported.unjudgedPairs);
  const lines = readFileSync(batch, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, exported.unjudgedPairs);
  for (const line of lines) {
    assert.deepEqual(Object.keys(line).sort(), ['body', 'custom_id', 'method', 'url']);
    assert.equal(line.method, 'POST');
    assert.equal(line.url, '/v1/chat/completions');
    assert.equal(line.body.model, 'mock-judge');
  }
  // The pool file records who proposed each item.
  const pool = readFileSync(join(judgeDir(), 'test.pool.jsonl'), 'utf8').trim().split('\n');
  assert.equal(pool.length, 4);

  const output = join(dir, 'pool.output.jsonl');
  const answered = await answerBatch(batch, output);
  const imported = await json(
    'judge',
    'import-batch',
    '--dataset',
    'inspired',
    '--out',
    judgeDir(),
    '--cache-dir',
    join(dir, 'cache'),
    '--file',
    batch,
    '--output',
    output,
    '--llm-model',
    'mock-judge',
  );
  assert.deepEqual([imported.responses, imported.valid, imported.invalid], [answered, answered, 0]);
  assert.equal(imported.judgments, answered);
  const judgmentsFile = imported.judgmentsFile as string;
  assert.equal(judgmentsFile, join(judgeDir(), 'inspired_test.judgments.jsonl'));
  const judged = readFileSync(judgmentsFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(judged.every((j) => j.purpose === 'evaluation' && j.split === 'test' && j.retrieval));
  assert.deepEqual(new Set(judged.map((j) => j.score)), new Set([0, 1, 2, 3, 4]));
  const { judgments } = await loadJudgments(dataset, 'test', { files: [judgmentsFile], defaults: false });
  assert.equal(judgments.pairs, answered);

  // The pool is now fully judged: nothing more to export.
  const again = await exportBatch();
  assert.deepEqual([again.unjudgedPairs, again.batch.requests], [0, 0]);

  // Online, over more contexts: only the pairs the batch did not judge are asked, and a rerun asks nothing.
  const before = mock.answered('/chat/completions').length;
  const llm = ['--llm-base-url', mock.url, '--llm-model', 'mock-judge'];
  const online = await json('judge', ...common(7), ...llm);
  assert.equal(online.contexts, 7);
  assert.ok(online.unjudgedPairs > 0);
  assert.deepEqual([online.judged.scored, online.judged.valid], [online.unjudgedPairs, online.unjudgedPairs]);
  assert.equal(mock.answered('/chat/completions').length - before, online.unjudgedPairs);
  assert.equal(online.judgments, answered + online.unjudgedPairs);
  assert.equal(online.provider.id, 'openai-compatible:mock-judge');
  const rerun = await json('judge', ...common(7), ...llm);
  assert.deepEqual([rerun.unjudgedPairs, rerun.judged.scored], [0, 0]);
  assert.equal(mock.answered('/chat/completions').length - before, online.unjudgedPairs, 'no call repeated');

  // The judge's test judgments serve evaluation: judged metrics read them; distillation refuses them.
  const evaluated = await json(
    'eval',
    '--dataset',
    'inspired',
    '--predictions',
    files.random,
    '--judgments',
    judgmentsFile,
  );
  assert.ok(evaluated.judged.judgments.files.includes(judgmentsFile));
  const refused = await crsaug('augment', 'distill', '--dataset', 'inspired', '--teacher', judgmentsFile);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /field "split": test-split judgments serve evaluation only, not distillation/);
});
