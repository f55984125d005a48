import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { candidatesFile, readScores, scoresFile } from '../../src/augment/artifacts.js';
import { resolveDataDir } from '../../src/config/paths.js';
import { writeJsonl } from '../../src/util/jsonl.js';
import { MockOpenAIServer } from '../providers/mock-openai-server.js';
import { fixturePairs, loadInspiredTest } from './score-fixture.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../../src/cli/index.js');
let dir: string;
let mock: MockOpenAIServer;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crsaug-score-cli-'));
  mock = await MockOpenAIServer.start();
  const dataset = await loadInspiredTest();
  // A small candidates file: 4 contexts × 5 candidates.
  const pairs = fixturePairs(dataset, 4, 5);
  const byContext = new Map<string, typeof pairs>();
  for (const p of pairs)
    byContext.set(`${p.dialogId}#${p.turnId}`, [...(byContext.get(`${p.dialogId}#${p.turnId}`) ?? []), p]);
  await writeJsonl(
    candidatesFile(dir, 'test'),
    [...byContext.values()].map((ps) => ({
      dialog_id: ps[0]!.dialogId,
      turn_id: ps[0]!.turnId,
      candidates: ps.map((p) => ({ item: p.item, rank: p.rank!, sim: 1 / p.rank! })),
    })),
  );
});
after(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

async function crsaug(...args: string[]) {
  const common = [
    '--dataset',
    'inspired',
    '--data-dir',
    resolveDataDir(undefined).dir,
    '--out',
    dir,
    '--cache-dir',
    join(dir, 'cache'),
  ];
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [cli, 'augment', ...args, ...common],
      { cwd: dir },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('crsaug augment score: sampler, provider named, resumable; shards + merge give the same records', async () => {
  const llm = ['--llm-base-url', mock.url, '--llm-model', 'mock-judge'];
  const first = await crsaug(
    'score',
    '--split',
    'test',
    '--sampler',
    'stratified',
    '--pairs-per-context',
    '3',
    ...llm,
    '--json',
  );
  assert.equal(first.code, 0, first.stderr);
  assert.match(
    first.stderr,
    /teacher: openai-compatible:mock-judge \(remote chat model at http:\/\/127\.0\.0\.1/,
  );
  const summary = JSON.parse(first.stdout) as { pairs: number; scored: number; valid: number };
  assert.deepEqual([summary.pairs, summary.scored, summary.valid], [12, 12, 12]);
  const again = JSON.parse(
    (
      await crsaug(
        'score',
        '--split',
        'test',
        '--sampler',
        'stratified',
        '--pairs-per-context',
        '3',
        ...llm,
        '--json',
      )
    ).stdout,
  );
  assert.deepEqual([again.skipped, again.scored], [12, 0]);

  for (const shard of ['1/2', '2/2']) {
    const run = await crsaug(
      'score',
      '--split',
      'test',
      '--sampler',
      'stratified',
      '--pairs-per-context',
      '3',
      '--shard',
      shard,
      ...llm,
    );
    assert.equal(run.code, 0, run.stderr);
  }
  // Some shard may get no context at all: its (empty) file must exist for merge anyway.
  const unsharded = await readScores(scoresFile(dir, 'test'));
  rmSync(scoresFile(dir, 'test'));
  const merge = await crsaug('merge');
  assert.match(merge.stdout, /test\.scores\.jsonl: 12 records from 2 shards/, merge.stderr);
  assert.deepEqual(await readScores(scoresFile(dir, 'test')), unsharded);
});

test('crsaug augment export-batch writes one request per pair; bad flags are clear errors', async () => {
  const file = join(dir, 'batch.jsonl');
  const run = await crsaug('export-batch', '--split', 'test', '--llm-model', 'mock-judge', '--file', file);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /20 chat requests \(20 pairs\)/);
  assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 20);
  const badShard = await crsaug('score', '--split', 'test', '--shard', '3/2');
  assert.notEqual(badShard.code, 0);
  assert.match(badShard.stderr, /invalid shard "3\/2"/);
  const folderPairs = await crsaug('score', '--split', 'test', '--pairs', dir, '--llm-model', 'mock-judge');
  assert.equal(folderPairs.code, 1);
  assert.ok(folderPairs.stderr.includes(`${dir}: is a folder; expected a JSONL file`), folderPairs.stderr);
  const noModel = await crsaug('export-batch', '--split', 'test', '--file', file);
  assert.equal(noModel.code, 1);
  assert.match(noModel.stderr, /a chat batch needs a model name/);
});
