import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { readScores } from '../../src/augment/artifacts.js';
import { scorePairs } from '../../src/augment/score.js';
import { ScoreRequests } from '../../src/augment/score-request.js';
import { teacherStage } from '../../src/augment/stages/index.js';
import { TooManyInvalidAnswersError } from '../../src/augment/valid-share.js';
import { resolveConfig } from '../../src/config/load.js';
import { resolveDataDir } from '../../src/config/paths.js';
import { ProvidersConfigSchema } from '../../src/config/providers.js';
import { loadDataset } from '../../src/data/index.js';
import type { Dataset } from '../../src/data/types.js';
import { createChatModel } from '../../src/providers/factory.js';
import { CrsaugError } from '../../src/util/errors.js';
import { writeJsonl } from '../../src/util/jsonl.js';
import { chatAnswer, type MockScript } from '../providers/mock-openai-server.js';
import { fixturePairs, mockScoringBed, testScoreConfig } from './score-fixture.js';

const bed = mockScoringBed('crsaug-invalid-answers-');
let dataset: Dataset;
let dir: string;
before(async () => {
  ({ dataset, dir } = await bed.open());
});

const prose: MockScript = () => ({
  status: 200,
  json: chatAnswer('It is a decent fit for what they asked.'),
});

/** Scores pairs against a mock running `script`, in the cache and scores file named `name`. */
async function judge(
  name: string,
  script: MockScript,
  pairs: ReturnType<typeof fixturePairs>,
  options: { config?: Record<string, unknown>; retryInvalid?: boolean } = {},
) {
  const mock = await bed.startMock(script);
  const providers = ProvidersConfigSchema.parse({
    chat: { baseUrl: mock.url, model: 'mock-judge', maxRetries: 0 },
  });
  const chat = await createChatModel(providers, { cacheDir: join(dir, `${name}-cache`), stage: 'score' });
  const config = testScoreConfig(options.config);
  const scoresFile = join(dir, `${name}.scores.jsonl`);
  try {
    const run = scorePairs({
      model: chat.model,
      requests: new ScoreRequests(dataset, config),
      pairs,
      config,
      scoresFile,
      retryInvalid: options.retryInvalid,
      silent: true,
    });
    return { summary: await run.catch((error: unknown) => error), mock, scoresFile };
  } finally {
    chat.close();
  }
}

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('mostly invalid answers fail the stage loudly', () => {
  test('below the valid share floor the scorer stops after about validShareAfter answers and says why', async () => {
    const pairs = fixturePairs(dataset, 20, 4);
    const { summary: error, mock, scoresFile } = await judge('floor', prose, pairs);
    assert.ok(error instanceof TooManyInvalidAnswersError, String(error));
    assert.ok(error instanceof CrsaugError, 'printed as a message with a hint');
    assert.match(
      error.message,
      /mostly invalid: 0 valid, \d+ invalid \(0\.0 % valid\), below augment\.score\.minValidShare 50 %/,
    );
    assert.match(error.message, /last invalid answer: "It is a decent fit/);
    assert.match(error.hint!, /--retry-invalid/);
    // It stopped early (8 pairs in flight at most when the 20th answer came), keeping what it was paid for.
    const kept = lines(scoresFile).length;
    assert.ok(kept >= 20 && kept < 20 + 8, `${kept} records`);
    assert.equal(mock.answered().length, 2 * kept, 'each pair: the answer and one repair turn');

    // A rerun that finds the same invalid answers in the file fails again at once, asking nothing.
    const again = await judge('floor', prose, pairs.slice(0, kept));
    assert.ok(again.summary instanceof TooManyInvalidAnswersError);
    assert.equal(again.mock.requests.length, 0);
  });

  test('the floor is judged only once enough answers are in, and can be switched off', async () => {
    const few = await judge('few', prose, fixturePairs(dataset, 2, 3));
    assert.ok(!(few.summary instanceof Error), String(few.summary));
    const off = await judge('off', prose, fixturePairs(dataset, 6, 4), { config: { minValidShare: 0 } });
    assert.ok(!(off.summary instanceof Error), String(off.summary));
  });

  test('the teacher stage prints its valid/invalid counts and never writes an empty judgments file', async () => {
    const train = await loadDataset('inspired', {
      dataDir: resolveDataDir(undefined).dir,
      splits: ['train'],
    });
    const contexts = train.splits.train!.contexts.filter((c) => c.utterances.length >= 2).slice(0, 2);
    const candidatesDir = join(dir, 'candidates');
    await writeJsonl(
      join(candidatesDir, 'train.candidates.jsonl'),
      contexts.map((c) => ({
        dialog_id: c.dialogId,
        turn_id: c.turnId,
        candidates: train.catalog.items
          .slice(0, 6)
          .map((item, i) => ({ item: item.name, rank: i + 1, sim: 1 - i / 10 })),
      })),
    );
    const teacher = async (name: string, script: MockScript) => {
      const mock = await bed.startMock(script);
      const config = resolveConfig({
        env: {},
        flags: {
          cacheDir: join(dir, `${name}-cache`),
          providers: { chat: { baseUrl: mock.url, model: 'mock-judge', maxRetries: 0 } },
          run: { teacherContexts: 2, teacherPairsPerContext: 3 },
        },
      });
      const log: string[] = [];
      const outDir = join(dir, name);
      const result = await teacherStage(config, {
        dataset: train,
        candidatesDir,
        outDir,
        silent: true,
        log: (line) => log.push(line),
      }).catch((error: unknown) => error);
      return { result, log, outDir };
    };

    const bad = await teacher('teacher-bad', prose);
    assert.ok(bad.result instanceof CrsaugError, String(bad.result));
    assert.match(
      bad.result.message,
      /the teacher gave no valid answer \(0 valid, 6 invalid \(0\.0 % valid\)\)/,
    );
    assert.ok(
      !existsSync(join(bad.outDir, 'teacher.jsonl')),
      'no empty judgments file for the student to choke on',
    );
    assert.ok(
      bad.log.some((l) => l.startsWith('teacher: 0 valid, 6 invalid')),
      bad.log.join('\n'),
    );

    const good = await teacher('teacher-good', () => undefined);
    assert.ok(!(good.result instanceof Error), String(good.result));
    assert.ok(
      good.log.some((l) => l.startsWith('teacher: 6 valid, 0 invalid (100.0 % valid)')),
      good.log.join('\n'),
    );
    assert.equal(lines(join(good.outDir, 'teacher.jsonl')).length, 6);
  });
});

describe('--retry-invalid', () => {
  test('re-asks the invalid pairs past the cache and leaves one record per pair', async () => {
    const pairs = fixturePairs(dataset, 3, 2);
    const first = await judge('retry', prose, pairs);
    assert.equal((first.summary as { invalid: number }).invalid, pairs.length);

    // The judge is fixed; the cache still holds its bad answers, which must not be replayed.
    const fixed: MockScript = (r) =>
      (r.body.messages as { content: string }[])[1]!.content.includes(`\n${pairs[0]!.item}`)
        ? prose(r, 0)
        : { status: 200, json: chatAnswer('Score: 2') };
    const again = await judge('retry', fixed, pairs, { retryInvalid: true });
    assert.equal(
      again.mock.answered().length,
      3 * 1 + 3 * 2,
      'every pair asked again (still-bad ones repaired once more)',
    );
    const scores = await readScores(again.scoresFile);
    assert.equal(lines(again.scoresFile).length, pairs.length, 'one record per pair');
    for (const pair of pairs) {
      const record = scores.get(JSON.stringify([pair.dialogId, pair.turnId, pair.item]))!;
      assert.equal(record.valid, pair.item !== pairs[0]!.item, JSON.stringify(record));
      if (record.valid) assert.equal(record.score, 2);
    }
  });
});
