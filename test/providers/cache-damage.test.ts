import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { readScores } from '../../src/augment/artifacts.js';
import { scorePairs } from '../../src/augment/score.js';
import { ScoreRequests } from '../../src/augment/score-request.js';
import { ProvidersConfigSchema } from '../../src/config/providers.js';
import type { Dataset } from '../../src/data/types.js';
import { CACHE_FILE_NAME, createChatModel } from '../../src/providers/factory.js';
import { DamagedCacheError, ProviderCacheStore } from '../../src/providers/middleware/cache-store.js';
import { CrsaugError } from '../../src/util/errors.js';
import { hashValue } from '../../src/util/hash.js';
import { fixturePairs, loadInspiredTest, testScoreConfig } from '../augment/score-fixture.js';
import { runCli } from '../eval/run-cli.js';
import { MockOpenAIServer } from './mock-openai-server.js';

const root = mkdtempSync(join(tmpdir(), 'crsaug-cache-damage-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dataset: Dataset;
before(async () => {
  dataset = await loadInspiredTest();
});

const PAGE = 4096;

/** A sound cache of about `megabytes` MB (more than SQLite's 2 MB page cache holds, so reads reach the file). */
function filledCache(name: string, megabytes: number): string {
  const file = join(root, name, CACHE_FILE_NAME);
  const store = new ProviderCacheStore(file);
  const filler = 'x'.repeat(1000);
  // Keys spread like real ones (hashes), so later lookups land all over the file.
  for (let i = 0; i < megabytes * 1000; i++) store.writeCall(hashValue(i), 'mock', 'mock', { text: filler });
  store.close();
  return file;
}

/** Overwrites whole pages from `fromShare` of the file to its end with random bytes. */
function damagePages(file: string, fromShare: number): void {
  const size = statSync(file).size;
  const start = Math.floor((size * fromShare) / PAGE) * PAGE;
  const fd = openSync(file, 'r+');
  writeSync(fd, randomBytes(size - start), 0, size - start, start);
  closeSync(fd);
}

function assertDamageMessage(error: unknown, file: string): true {
  assert.ok(error instanceof DamagedCacheError, String(error));
  assert.equal(error.name, 'DamagedCacheError');
  assert.ok(error instanceof CrsaugError, 'the CLI prints it as a message with a hint, not a stack trace');
  assert.ok(error.message.includes(file), error.message);
  assert.match(error.message, /is damaged/);
  assert.match(error.hint ?? '', /move it aside/);
  assert.match(error.hint ?? '', /asked \(and paid for\) again/);
  return true;
}

test('a cache file of random bytes is reported at open: which file, and what to do', () => {
  const file = join(root, 'random', CACHE_FILE_NAME);
  mkdirSync(join(root, 'random'));
  writeFileSync(file, randomBytes(64 * 1024));
  assert.throws(
    () => new ProviderCacheStore(file),
    (error) => assertDamageMessage(error, file),
  );

  // The CLI says the same in two lines, with no better-sqlite3 stack trace, and exits 1.
  const cli = runCli([
    'augment',
    'retrieve',
    '--cache-dir',
    join(root, 'random'),
    '--out',
    join(root, 'out'),
  ]);
  assert.equal(cli.status, 1, cli.stderr);
  assert.match(cli.stderr, /crsaug: the provider cache .*providers\.sqlite is damaged/);
  assert.match(cli.stderr, /hint: move it aside/);
  assert.doesNotMatch(cli.stderr, /\n\s+at /, 'no stack trace');
});

test('a cache damaged mid-file is found by the check at open', () => {
  const file = filledCache('mid-file', 4);
  damagePages(file, 0.5);
  assert.throws(
    () => new ProviderCacheStore(file),
    (error) =>
      assertDamageMessage(error, file) &&
      // What SQLite's check found, in its words (e.g. "Tree 2 page 500: …").
      /is damaged \([^;)]*\w/.test((error as Error).message),
  );
});

test('every problem the check at open finds is named, separated by semicolons', () => {
  // Rows that break their table's NOT NULL constraints: a table made with a made-up type word ("XOT") where the
  // schema now says NOT NULL, as if a byte of the schema page flipped. quick_check reports each row on its own.
  const file = join(root, 'not-null', CACHE_FILE_NAME);
  mkdirSync(join(root, 'not-null'));
  const db = new Database(file);
  db.exec(
    'CREATE TABLE calls (key TEXT PRIMARY KEY, provider TEXT XOT NULL, model TEXT XOT NULL, result TEXT NOT NULL, created_at INTEGER NOT NULL)',
  );
  db.prepare('INSERT INTO calls VALUES (?, ?, ?, ?, ?)').run('a', null, 'm', '{}', 1);
  db.prepare('INSERT INTO calls VALUES (?, ?, ?, ?, ?)').run('b', 'p', null, '{}', 1);
  db.close();
  const bytes = readFileSync(file);
  for (let at = bytes.indexOf('XOT NULL'); at >= 0; at = bytes.indexOf('XOT NULL')) bytes.write('N', at);
  writeFileSync(file, bytes);
  assert.throws(
    () => new ProviderCacheStore(file),
    (error) =>
      assertDamageMessage(error, file) &&
      (error as Error).message.endsWith(
        'is damaged (NULL value in calls.provider; NULL value in calls.model)',
      ),
  );
});

test('an index that no longer matches its table is damage too, reported by the write that meets it', () => {
  // The check at open does not compare an index with its table (quick_check leaves that to integrity_check);
  // SQLite reports the mismatch with an extended code, SQLITE_CORRUPT_INDEX, when a write must delete the entry.
  const file = join(root, 'index', CACHE_FILE_NAME);
  const store = new ProviderCacheStore(file);
  store.writeCall('k', 'mock', 'model-in-both', { text: 'a' });
  store.close();
  // An index by model (another tool reading the cache might add one), then the row's model changes under it.
  const db = new Database(file);
  db.exec('CREATE INDEX calls_by_model ON calls(model)');
  const { rootpage } = db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'calls'").get() as {
    rootpage: number;
  };
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const bytes = readFileSync(file);
  const page = bytes.subarray((rootpage - 1) * pageSize, rootpage * pageSize);
  page.write('model-in-tabl', page.indexOf('model-in-both'));
  writeFileSync(file, bytes);
  const reopened = new ProviderCacheStore(file);
  try {
    assert.deepEqual(reopened.readCall('k'), { text: 'a' }, 'the check at open passes, reads work');
    assert.throws(
      () => reopened.writeCall('k', 'mock', 'model-in-both', { text: 'b' }),
      (error) =>
        assertDamageMessage(error, file) &&
        (error as Error & { cause?: { code?: string } }).cause?.code === 'SQLITE_CORRUPT_INDEX',
    );
  } finally {
    reopened.close();
  }
});

test('damage that appears mid-run stops scoring cleanly with the same message; answers already written stay', async () => {
  const file = filledCache('mid-run', 12);
  const pairs = fixturePairs(dataset, 20, 3);
  const config = testScoreConfig({ concurrency: 4, minValidShare: 0 });
  let damaged = false;
  const mock = await MockOpenAIServer.start((_request, index) => {
    // After 20 answered pairs the file is damaged under the running scorer (disk fault, another program).
    if (index === 20 && !damaged) {
      damaged = true;
      damagePages(file, 0.1);
    }
    return undefined;
  });
  const providers = ProvidersConfigSchema.parse({
    chat: { baseUrl: mock.url, model: 'mock-judge', maxRetries: 0 },
  });
  const chat = await createChatModel(providers, { cacheDir: join(root, 'mid-run'), stage: 'score' });
  const scoresFile = join(root, 'mid-run.scores.jsonl');
  try {
    await assert.rejects(
      scorePairs({
        model: chat.model,
        requests: new ScoreRequests(dataset, config),
        pairs,
        config,
        scoresFile,
        silent: true,
      }),
      (error) => assertDamageMessage(error, file),
    );
  } finally {
    chat.close();
    await mock.close();
  }
  assert.ok(damaged);
  // The store that met the damage did not take the file for sound: opening it again checks it.
  assert.throws(
    () => new ProviderCacheStore(file),
    (error) => assertDamageMessage(error, file),
  );
  const lines = readFileSync(scoresFile, 'utf8').split('\n').filter(Boolean);
  const scores = await readScores(scoresFile);
  assert.equal(scores.size, lines.length, 'whole lines, one per pair');
  assert.ok(lines.length >= 20 && lines.length < pairs.length, `${lines.length} pairs kept`);
  assert.ok([...scores.values()].every((s) => s.valid && s.score === 3));
});
