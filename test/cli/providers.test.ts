import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveDataDir } from '../../src/config/paths.js';
import { runCliAsync } from '../eval/run-cli.js';
import { MockOpenAIServer } from '../providers/mock-openai-server.js';

const dir = mkdtempSync(join(tmpdir(), 'crsaug-providers-cli-'));
let mock: MockOpenAIServer;
before(async () => {
  mock = await MockOpenAIServer.start();
});
after(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

const crsaug = (...args: string[]) => runCliAsync(dir, args);

const endpoints = () => [
  '--llm-base-url',
  mock.url,
  '--llm-model',
  'mock-judge',
  '--embed-base-url',
  mock.url,
  '--embed-model',
  'mock-embed',
];

test('providers check: one embedding and one chat call, each a pass', async () => {
  const before = mock.requests.length;
  const run = await crsaug('providers', 'check', ...endpoints(), '--json');
  assert.equal(run.code, 0, run.stderr);
  const checks = JSON.parse(run.stdout);
  assert.deepEqual(
    checks.map((c: { kind: string; status: string }) => `${c.kind} ${c.status}`),
    ['embedding pass', 'chat pass'],
  );
  assert.match(checks[0].detail, /^a 8-d vector in \d+ ms$/);
  assert.deepEqual(
    mock.requests.slice(before).map((r) => r.path),
    ['/embeddings', '/chat/completions'],
  );
});

test('providers check: a failing endpoint is a FAIL with its answer, and exit 1', async () => {
  mock.script = (request) =>
    request.path === '/chat/completions'
      ? { status: 401, json: { error: { message: 'bad key' } } }
      : undefined;
  try {
    const run = await crsaug('providers', 'check', ...endpoints());
    assert.equal(run.code, 1);
    assert.match(run.stdout, /embedding .*PASS/);
    assert.match(run.stdout, /chat .*FAIL .*401/);
  } finally {
    mock.script = () => undefined;
  }
});

test('run --dry-run prints per stage the calls, tokens and cost it would make, and calls and writes nothing', async () => {
  writeFileSync(
    join(dir, 'priced.json'),
    JSON.stringify({
      providers: { prices: { 'mock-judge': { inputPerMillion: 1, outputPerMillion: 2 } } },
      run: { teacherContexts: 10, teacherPairsPerContext: 4 },
    }),
  );
  const before = mock.requests.length;
  const run = await crsaug(
    'run',
    '--dataset',
    'inspired',
    '--data-dir',
    resolveDataDir(undefined).dir,
    '--config',
    'priced.json',
    '--out',
    'never',
    '--dry-run',
    '--json',
    ...endpoints(),
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(mock.requests.length, before, 'no provider was called');
  assert.equal(existsSync(join(dir, 'never')), false, 'nothing was written');
  const plan = JSON.parse(run.stdout);
  const teacher = plan.stages.find((s: { stage: string }) => s.stage === 'teacher');
  assert.equal(teacher.calls, 40, '10 contexts × 4 pairs, one pair per call');
  assert.ok(teacher.inputTokens > 40 * 100, `${teacher.inputTokens} input tokens`);
  assert.equal(teacher.maxOutputTokens, 40 * 8);
  assert.ok(
    Math.abs(teacher.costUsd - (teacher.inputTokens * 1 + teacher.maxOutputTokens * 2) / 1e6) < 1e-12,
  );
  const retrieve = plan.stages.find((s: { stage: string }) => s.stage === 'retrieve');
  assert.ok(retrieve.calls > 0 && retrieve.inputTokens > 0);
  assert.equal(retrieve.costUsd, null, 'no price for mock-embed: unknown, never zero');
  assert.equal(plan.totals.costUsd, null);
  assert.deepEqual(
    plan.stages.map((s: { stage: string }) => s.stage),
    ['retrieve', 'teacher', 'distill', 'synthesize', 'train'],
  );
});
