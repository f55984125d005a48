import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DatasetCache, loadTeacherSet } from '../../src/augment/teacher-set.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { topKOfRow } from '../../src/eval/topk.js';
import { asRecommender } from '../../src/models/trainable.js';
import { loadModel } from '../../src/train/checkpoint.js';
import { BEST_CHECKPOINT } from '../../src/train/trainer.js';
import { MockOpenAIServer } from '../providers/mock-openai-server.js';
import {
  buildSmallRun,
  call,
  rawGet,
  removeLater,
  type Server,
  type SmallRun,
  startServer,
} from './fixture.js';

let run: SmallRun;
let server: Server;
let judgmentsDir: string;

before(async () => {
  run = await buildSmallRun();
  removeLater(run.root);
  judgmentsDir = join(run.root, 'judgments');
  server = await startServer({ runsDir: run.runsDir, judgmentsDir });
});
after(() => server?.close());

const post = (path: string, body: unknown, headers?: Record<string, string>) =>
  call(`${server.url}${path}`, 'POST', body, headers);
const get = (path: string, headers?: Record<string, string>) =>
  call(`${server.url}${path}`, 'GET', undefined, headers);

/** A 4xx answer in the API's error shape, naming the field at fault. */
function assertError(answer: Awaited<ReturnType<typeof call>>, status: number, field?: string): void {
  assert.equal(answer.status, status, JSON.stringify(answer.body));
  assert.equal(answer.body.statusCode, status);
  assert.equal(typeof answer.body.code, 'string');
  assert.equal(typeof answer.body.message, 'string');
  if (field !== undefined) assert.equal(answer.body.field, field, answer.body.message);
}

const CONTEXT = ['Hi! I loved John Wick and anything with Keanu Reeves. Some action please'];

test('GET /v1/runs and /v1/runs/{id}: the run folder with its models, results, synthesis and report', async () => {
  const list = await get('/v1/runs');
  assert.equal(list.status, 200);
  assert.deepEqual(
    list.body.runs.map((r: { id: string }) => r.id),
    ['small'],
    'the judgments folder inside runs/ is not a run',
  );
  const [summary] = list.body.runs;
  assert.equal(summary.dataset, 'inspired');
  assert.deepEqual(
    summary.models.map((m: { mode: string }) => m.mode),
    Object.keys(run.outcome.results.checkpoints.kbrd!),
    'every mode the run trained a checkpoint for (not rerank, which re-orders another mode at inference), in the order of results.json',
  );
  assert.deepEqual(summary.models[0].seeds, [42]);

  const detail = await get('/v1/runs/small');
  assert.equal(detail.status, 200);
  const stage2 = detail.body.results.rows.find((r: { mode: string }) => r.mode === 'stage2');
  assert.equal(stage2.mean['recall@10'], run.outcome.results.results.kbrd!.stage2!['42']!['recall@10']);
  assert.equal(detail.body.synthesis.labels, run.outcome.synthesized.value.labels);
  assert.equal(detail.body.config.dataset, 'inspired');

  const report = await get(detail.body.reportUrl);
  assert.equal(report.status, 200);
  assert.match(report.headers.get('content-type')!, /text\/html/);
  assert.match(report.headers.get('content-security-policy')!, /default-src 'none'/);
  assert.match(report.body, /small run/);
});

test('POST /v1/recommend: linked entities, the top k without mentioned items, equal to the checkpoint’s own ranking', async () => {
  const answer = await post('/v1/recommend', { run: 'small', context: CONTEXT, k: 10 });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  const linked = answer.body.entities.map((e: { name: string; type: string }) => `${e.type}:${e.name}`);
  assert.deepEqual(linked, ['movie:John Wick (2014)', 'person:Keanu Reeves', 'genre:action']);
  assert.equal(answer.body.lists.length, 1);
  const [list] = answer.body.lists;
  assert.equal(list.mode, 'stage2');
  assert.equal(list.seed, 42);
  assert.deepEqual(
    list.items.map((i: { rank: number }) => i.rank),
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
  );
  const names = list.items.map((i: { item: string }) => i.item);
  assert.ok(!names.includes('John Wick (2014)'), 'a mentioned item is never recommended');
  for (let i = 1; i < 10; i++) assert.ok(list.items[i].score <= list.items[i - 1].score);
  assert.ok(list.items[0].probability > 0 && list.items[0].probability < 1);
  assert.equal(typeof list.items[0].plot, 'string');

  // The same checkpoint through the evaluation path (asRecommender, a full forward pass) ranks the same.
  const { dataset, linker } = await server.services.cache.dataset(server.services.registry.get('small'));
  const stage2 = run.outcome.trained.kbrd!.stage2!;
  const model = await loadModel(join(stage2.dir, 'seed-42', BEST_CHECKPOINT), dataset);
  const linkedContext = linker.link(CONTEXT);
  const scores = asRecommender(model).score([linkedContext.context]);
  for (const item of linkedContext.mentioned) scores[item] = Number.NEGATIVE_INFINITY;
  const expected = [...topKOfRow(scores, 10)].map((i) => dataset.catalog.items[i]!.name);
  model.module.free();
  assert.deepEqual(names, expected);
});

test('POST /v1/recommend with compare: baseline and stage 2 side by side; models load once', async () => {
  const answer = await post('/v1/recommend', {
    run: 'small',
    dataset: 'inspired',
    context: CONTEXT,
    compare: true,
    k: 5,
  });
  assert.equal(answer.status, 200);
  assert.deepEqual(
    answer.body.lists.map((l: { mode: string }) => l.mode),
    ['baseline', 'stage2'],
  );
  assert.ok(answer.body.lists.every((l: { items: unknown[] }) => l.items.length === 5));

  const loaded = (await get('/v1/health')).body.loaded.models;
  // Twenty requests at once for a model not loaded yet: one load.
  const mixed = await Promise.all(
    Array.from({ length: 20 }, () =>
      post('/v1/recommend', { run: 'small', context: CONTEXT, mode: 'mixed' }),
    ),
  );
  assert.ok(mixed.every((a) => a.status === 200));
  assert.equal(new Set(mixed.map((a) => JSON.stringify(a.body))).size, 1, 'the same answer every time');
  assert.equal((await get('/v1/health')).body.loaded.models, loaded + 1);
});

test('bad requests get a 4xx JSON error naming the field', async () => {
  assertError(await post('/v1/recommend', '{"run": "small", '), 400, 'body');
  assertError(await post('/v1/recommend', { run: 'small', context: CONTEXT, k: 'ten' }), 400, 'k');
  assertError(await post('/v1/recommend', { run: 'small', context: CONTEXT, k: 0 }), 400, 'k');
  assertError(await post('/v1/recommend', { run: 'small', context: ['hi', 3] }), 400, 'context[1]');
  assertError(await post('/v1/recommend', { run: 'small', context: [] }), 400, 'context');
  assertError(await post('/v1/recommend', { context: CONTEXT }), 400, 'run');
  assertError(await post('/v1/recommend', { run: 'small', context: CONTEXT, colour: 'red' }), 400, 'colour');
  assertError(
    await post('/v1/recommend', { run: 'small', context: CONTEXT, compare: 'yes' }),
    400,
    'compare',
  );
  assertError(await post('/v1/recommend', [1, 2]), 400);
  assertError(await post('/v1/recommend', { run: 'small', context: CONTEXT, mode: 'stage9' }), 404, 'mode');
  assertError(await post('/v1/recommend', { run: 'small', context: CONTEXT, model: 'bert' }), 404, 'model');
  assertError(await post('/v1/recommend', { run: 'small', context: CONTEXT, seed: 7 }), 404, 'seed');
  assertError(
    await post('/v1/recommend', { run: 'small', dataset: 'redial', context: CONTEXT }),
    400,
    'dataset',
  );
  assertError(await post('/v1/recommend', { run: 'nope', context: CONTEXT }), 404, 'run');
  assertError(
    await post('/v1/score', { run: 'small', context: CONTEXT, items: ['Heat (1995)', 'No Such Film'] }),
    400,
    'items[1]',
  );
  assertError(await get('/v1/runs/small/labels?limit=1000'), 400, 'limit');
  assertError(await get('/v1/runs/small/labels?filter=some'), 400, 'filter');
  assertError(await get('/v1/runs/small/labels?page=2'), 400, 'page');
  assertError(await get('/v1/runs/nope'), 404, 'id');
  assertError(await get('/v1/nothing'), 404);
  const text = await fetch(`${server.url}/v1/recommend`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain' },
    body: JSON.stringify({ run: 'small', context: CONTEXT }),
  });
  assert.equal(text.status, 415, 'JSON only: no cross-site text/plain posts');
  assert.equal(((await text.json()) as { field: string }).field, 'content-type');
});

test('run ids and paths cannot leave the runs folder', async () => {
  // A run folder elsewhere, linked from inside runs/: real, complete, and still out of bounds.
  const outside = join(run.root, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'config.resolved.json'), JSON.stringify(ConfigSchema.parse({})));
  writeFileSync(join(outside, 'secret.txt'), 'the-secret-content');
  symlinkSync(outside, join(run.runsDir, 'escape'));
  for (const id of ['..', '..%2F..%2Fetc%2Fpasswd', '%2E%2E', '.hidden', 'small%2F..%2F..', 'a%00b']) {
    const answer = await rawGet(server.url, `/v1/runs/${id}`);
    assert.ok([400, 404].includes(answer.status), `${id}: ${answer.status}`);
    assert.equal(answer.body.field, 'id');
  }
  assertError(await get('/v1/runs/escape'), 404, 'id');
  assertError(await get('/v1/runs/escape/report'), 404, 'id');
  assertError(await post('/v1/recommend', { run: '../outside', context: CONTEXT }), 400, 'run');
  assertError(await post('/v1/recommend', { run: 'escape', context: CONTEXT }), 404, 'run');
  const raw = await rawGet(server.url, '/v1/runs/small/../../outside/secret.txt');
  assert.equal(raw.status, 404);
  assert.doesNotMatch(JSON.stringify(raw.body), /the-secret-content/);
  const list = await get('/v1/runs');
  assert.deepEqual(
    list.body.runs.map((r: { id: string }) => r.id),
    ['small'],
  );
});

test('the body-size limit: a larger body is refused with 413 before it is read', async () => {
  const big = { run: 'small', context: Array.from({ length: 40 }, () => 'x'.repeat(2000)) };
  assertError(await post('/v1/recommend', big), 413, 'body');
});

test('GET /v1/runs/{id}/labels: candidates with student and teacher scores; kept pairs are the run’s labels', async () => {
  const synthesis = run.outcome.synthesized.value;
  const first = await get('/v1/runs/small/labels?filter=kept&limit=100');
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.total.contexts, synthesis.contexts - synthesis.contextsWithoutLabels);
  assert.equal(first.body.total.pairs, synthesis.labels, 'every synthetic label, and only those');
  assert.equal(first.body.threshold, synthesis.threshold);
  for (const context of first.body.contexts) {
    assert.ok(context.pairs.every((p: { kept: boolean }) => p.kept));
    const students = context.pairs.map((p: { student: number }) => p.student);
    assert.deepEqual(
      students,
      [...students].sort((a, b) => b - a),
      'sorted by student score',
    );
    // Recomputed here, the student's scores agree with the synthesis that kept them (to float noise).
    assert.ok(students.every((s: number) => s >= synthesis.threshold - 1e-3));
  }

  const disagree = await get('/v1/runs/small/labels?filter=disagree&gap=2&sort=gap&limit=5');
  assert.ok(disagree.body.total.pairs > 0, 'the offline student and the shipped teacher disagree somewhere');
  for (const context of disagree.body.contexts) {
    for (const pair of context.pairs) assert.ok(Math.abs(pair.teacher.score - pair.student) >= 2);
  }
  const page2 = await get('/v1/runs/small/labels?offset=5&limit=5');
  const page1 = await get('/v1/runs/small/labels?offset=0&limit=10');
  assert.deepEqual(page2.body.contexts, page1.body.contexts.slice(5));
  const search = await get('/v1/runs/small/labels?q=horror&limit=3');
  assert.ok(search.body.total.contexts > 0 && search.body.total.contexts < page1.body.total.contexts);
});

test('POST /v1/judgments: appended in the teacher format, read by distillation, shown by the labels', async () => {
  const labels = await get('/v1/runs/small/labels?filter=teacher&limit=1');
  const context = labels.body.contexts[0];
  const pair = context.pairs[0];
  const judgment = {
    dataset: 'inspired',
    split: 'train',
    dialog_id: context.dialog_id,
    turn_id: context.turn_id,
    item: pair.item,
    score: 4,
    reason: 'exactly the comedy they asked for',
    run: 'small',
  };
  const answer = await post('/v1/judgments', judgment);
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  assert.equal(answer.body.file, 'inspired_train.human.jsonl');
  const file = join(judgmentsDir, answer.body.file);
  const lines = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.deepEqual(lines.at(-1), { ...judgment, source: 'human', createdAt: lines.at(-1).createdAt });

  const set = await loadTeacherSet(file, new DatasetCache());
  const read = set.pairs.at(-1)!;
  assert.equal(read.context.dialogId, context.dialog_id);
  assert.equal(set.dataset.catalog.items[read.item]!.name, pair.item);
  assert.equal(read.score, 4);

  const human = await get('/v1/runs/small/labels?filter=human');
  assert.equal(human.body.total.pairs, 1);
  assert.equal(human.body.contexts[0].pairs[0].human.reason, judgment.reason);

  assertError(await post('/v1/judgments', { ...judgment, turn_id: 9999 }), 400, 'dialog_id');
  assertError(await post('/v1/judgments', { ...judgment, item: 'No Such Film' }), 400, 'item');
  assertError(await post('/v1/judgments', { ...judgment, score: 5 }), 400, 'score');
  assertError(await post('/v1/judgments', { ...judgment, score: 2.5 }), 400, 'score');
  assertError(await post('/v1/judgments', { ...judgment, reason: '  ' }), 400, 'reason');
  assertError(await post('/v1/judgments', { ...judgment, split: 'dev' }), 400, 'split');
  assertError(
    await post('/v1/judgments', { ...judgment, dataset: 'redial', run: undefined }),
    400,
    'dataset',
  );
  assertError(await post('/v1/judgments', { ...judgment, run: '../small' }), 400, 'run');
});

test('concurrent judgments from two servers on one folder: every line whole, none lost', async () => {
  const other = await startServer({ runsDir: run.runsDir, judgmentsDir });
  try {
    const labels = await get('/v1/runs/small/labels?limit=20');
    const pairs = labels.body.contexts.flatMap(
      (c: { dialog_id: string; turn_id: number; pairs: { item: string }[] }) =>
        c.pairs.map((p) => ({ dialog_id: c.dialog_id, turn_id: c.turn_id, item: p.item })),
    );
    const file = join(judgmentsDir, 'inspired_train.human.jsonl');
    const before = readFileSync(file, 'utf8').split('\n').filter(Boolean).length;
    const requests = Array.from({ length: 300 }, (_, i) => {
      const pair = pairs[i % pairs.length];
      const reason = `judgment ${i} ${'·'.repeat(i % 7 === 0 ? 1500 : 10)}`;
      const body = { dataset: 'inspired', split: 'train', ...pair, score: i % 5, reason };
      return call(`${(i % 2 === 0 ? server : other).url}/v1/judgments`, 'POST', body);
    });
    const answers = await Promise.all(requests);
    assert.deepEqual(
      answers.filter((a) => a.status !== 201).map((a) => a.body),
      [],
    );
    const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
    assert.equal(lines.length, before + 300);
    const reasons = new Set(
      lines.slice(before).map((l) => JSON.parse(l).reason.split(' ').slice(0, 2).join(' ')),
    );
    assert.equal(reasons.size, 300, 'each judgment exactly once');
    await loadTeacherSet(file, new DatasetCache());
  } finally {
    await other.close();
  }
});

test('a half-written last line (a server killed mid-append) is cut before the next judgment', async () => {
  const { dataset } = await server.services.cache.dataset(server.services.registry.get('small'));
  const context = dataset.splits.valid!.contexts[0]!;
  const file = join(judgmentsDir, 'inspired_valid.human.jsonl');
  mkdirSync(judgmentsDir, { recursive: true });
  writeFileSync(file, '{"dataset":"inspired","split":"valid","dialog_id":"x","tur');
  const judgment = {
    dataset: 'inspired',
    split: 'valid',
    dialog_id: context.dialogId,
    turn_id: context.turnId,
    item: dataset.catalog.items[0]!.name,
    score: 2,
    reason: 'partly what they asked for',
  };
  assert.equal((await post('/v1/judgments', judgment)).status, 201);
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  assert.equal(lines.length, 1);
  assert.equal(JSON.parse(lines[0]!).reason, judgment.reason);
});

test('POST /v1/score: the student’s scores, and the teacher’s from a configured chat model', async () => {
  const plain = await post('/v1/score', {
    run: 'small',
    context: CONTEXT,
    items: ['John Wick: Chapter 2 (2017)', 'Frozen II (2019)'],
  });
  assert.equal(plain.status, 200, JSON.stringify(plain.body));
  assert.equal(plain.body.teacher, null);
  const [sequel, frozen] = plain.body.scores;
  assert.ok(sequel.student >= 0 && sequel.student <= 4);
  assert.ok(sequel.student > frozen.student, 'the sequel of the movie they loved scores above a cartoon');

  const mock = await MockOpenAIServer.start();
  const config = ConfigSchema.parse({
    cacheDir: join(run.root, 'serve-cache'),
    providers: { cache: false, chat: { baseUrl: mock.url, model: 'mock-judge' } },
  });
  const judged = await startServer({ runsDir: run.runsDir, judgmentsDir, config });
  try {
    const body = {
      run: 'small',
      context: CONTEXT,
      items: ['John Wick: Chapter 2 (2017)', 'Frozen II (2019)'],
    };
    const answer = await call(`${judged.url}/v1/score`, 'POST', body);
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.match(answer.body.teacher, /mock-judge/);
    assert.deepEqual(
      answer.body.scores.map((s: { teacher: number }) => s.teacher),
      [3, 3],
      'the mock judge answers "score: 3"',
    );
    assert.deepEqual(
      answer.body.scores.map((s: { student: number }) => s.student),
      plain.body.scores.map((s: { student: number }) => s.student),
    );
    const calls = mock.answered('/chat/completions').length;
    assert.equal(calls, 2);
    const again = await call(`${judged.url}/v1/score`, 'POST', body);
    assert.deepEqual(again.body.scores, answer.body.scores);
    assert.equal(
      mock.answered('/chat/completions').length,
      calls,
      'a judged pair is read back, not asked again',
    );
  } finally {
    await judged.close();
    await mock.close();
  }
});

test('a bearer token guards every API request; without one only loopback host names are answered', async () => {
  const token = 'test-token-0123456789abcdef';
  const guarded = await startServer({ runsDir: run.runsDir, judgmentsDir, token });
  try {
    const at = (path: string, headers?: Record<string, string>) =>
      call(`${guarded.url}${path}`, 'GET', undefined, headers);
    assertError(await at('/v1/runs'), 401, 'authorization');
    assertError(await at('/v1/runs', { authorization: 'Bearer wrong' }), 401, 'authorization');
    assertError(await at('/v1/runs', { authorization: token }), 401, 'authorization');
    assertError(await at('/openapi.json'), 401, 'authorization');
    assertError(
      await call(`${guarded.url}/v1/recommend`, 'POST', { run: 'small', context: CONTEXT }),
      401,
      'authorization',
    );
    assert.equal((await at('/v1/runs', { authorization: `Bearer ${token}` })).status, 200);
    // The UI shell holds no data; it asks for the token and sends it with each API call.
    assert.equal((await at('/')).status, 200);
    assert.equal((await at('/ui/app.js')).status, 200);
    const spec = await at('/openapi.json', { authorization: `Bearer ${token}` });
    assert.deepEqual(spec.body.security, [{ bearer: [] }]);
  } finally {
    await guarded.close();
  }
  const rebound = await rawGet(server.url, '/v1/runs', { host: 'attacker.example' });
  assert.equal(rebound.status, 421);
  assert.equal(rebound.body.field, 'host');
  assert.equal((await rawGet(server.url, '/v1/runs', { host: 'localhost:1234' })).status, 200);
});

test('GET /openapi.json describes every route with its schemas', async () => {
  const spec = await get('/openapi.json');
  assert.equal(spec.status, 200);
  assert.equal(spec.body.openapi, '3.1.0');
  assert.deepEqual(Object.keys(spec.body.paths).sort(), [
    '/v1/health',
    '/v1/judgments',
    '/v1/recommend',
    '/v1/runs',
    '/v1/runs/{id}',
    '/v1/runs/{id}/labels',
    '/v1/runs/{id}/report',
    '/v1/score',
  ]);
  // The request body as a client writes it: defaults make the other fields optional.
  const ref: string =
    spec.body.paths['/v1/recommend'].post.requestBody.content['application/json'].schema.$ref;
  const recommend = spec.body.components.schemas[ref.split('/').at(-1)!];
  assert.deepEqual(recommend.required.sort(), ['context', 'run']);
  assert.equal(recommend.additionalProperties, false);
  assert.equal(recommend.properties.k.default, 10);
  assert.deepEqual(server.logged, [], 'no request ended in a server error');
});
