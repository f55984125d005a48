import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { loadDataset } from '../../src/data/index.js';
import type { Dataset } from '../../src/data/types.js';
import { ArtifactStore } from '../../src/pipeline/artifact-store.js';
import { beyondLabelStages, runBeyondOptions } from '../../src/pipeline/beyond-stages.js';
import { floorSystem, type SystemGroup } from '../../src/pipeline/systems.js';
import { chatAnswer, MockOpenAIServer } from '../providers/mock-openai-server.js';

/*
 * With a chat model configured, `crsaug run` has it judge the test pool and play the LLM user, each as an
 * artifact (here with popularity as the only system, on a few contexts, against the mock chat server).
 */

let dir: string;
let mock: MockOpenAIServer;
let dataset: Dataset;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'crsaug-beyond-stages-'));
  mock = await MockOpenAIServer.start((request) => {
    const system = String((request.body.messages as { content: string }[])[0]!.content);
    return {
      status: 200,
      json: chatAnswer(
        system.startsWith('You play a user') ? 'No, something with more action please.' : 'Score: 2',
      ),
    };
  });
  dataset = await loadDataset('inspired', { splits: ['train', 'test'] });
});
after(async () => {
  await mock.close();
  rmSync(dir, { recursive: true, force: true });
});

test('with a chat model: the judge judges the unjudged pool, the LLM user talks; a rerun calls nothing', async () => {
  const config = resolveConfig({
    cwd: dir,
    env: {},
    flags: {
      dataset: 'inspired',
      cacheDir: join(dir, 'cache'),
      providers: { chat: { baseUrl: mock.url, model: 'mock-llm', maxRetries: 0 } },
      eval: {
        // Without the shared judgments every pooled pair is the judge's to judge.
        judged: { sharedJudgments: false },
        judge: { maxContexts: 3 },
        simulate: { attribute: false, turns: 2, llmMaxContexts: 4 },
      },
    },
  });
  const options = runBeyondOptions(config, join(dir, 'run'));
  assert.deepEqual([options.judge, options.simulators], [true, ['llm']]);
  const groups: SystemGroup[] = [
    { model: 'popularity', mode: 'baseline', trained: false, systems: [floorSystem('popularity', 42)] },
  ];
  const log: string[] = [];
  const ctx = {
    config,
    dataset,
    store: new ArtifactStore(join(dir, 'run', 'artifacts')),
    log: (l: string) => log.push(l),
  };
  const outcome = await beyondLabelStages(ctx, groups, 'dataset-inspired', options);

  const judge = outcome.judge!.value;
  assert.equal(judge.contexts, 3);
  assert.equal(judge.judged.valid, judge.unjudgedPairs);
  assert.equal(judge.judgments, judge.unjudgedPairs);
  assert.ok(existsSync(judge.judgmentsFile));
  assert.equal(judge.provider.id, 'openai-compatible:mock-llm');
  const judgeCalls = mock.requests.filter((r) => !String(JSON.stringify(r.body)).includes('You play a user'));
  assert.equal(judgeCalls.length, judge.unjudgedPairs);
  // The judged metrics read the judge's judgments: popularity's top 10 on those 3 contexts, all judged.
  assert.deepEqual(outcome.judged!.run.judgments.files, [judge.judgmentsFile]);
  assert.equal(outcome.judged!.run.contexts, 3);
  assert.equal(outcome.judged!.run.results.popularity!.baseline!['42']!['judged.coverage@10'], 1);

  const [simulation] = outcome.simulations;
  assert.equal(simulation!.run.simulator, 'llm');
  assert.equal(simulation!.run.dialogues, 4);
  assert.match(simulation!.run.sample, /a seeded random sample of 4 of the 144 test contexts/);
  const seeds = simulation!.run.results.popularity!.baseline!.seeds;
  const userCalls = mock.requests.length - judgeCalls.length;
  assert.ok(
    userCalls > 0 && userCalls <= 4,
    `${userCalls} user turns (2 turns: at most one answer per dialogue)`,
  );
  assert.equal(seeds['42']!.rejectedAnswers, 0);
  assert.equal(simulation!.artifacts[0]!.value.usage![0]!.calls, userCalls);

  const calls = mock.requests.length;
  log.length = 0;
  const again = await beyondLabelStages(ctx, groups, 'dataset-inspired', options);
  assert.equal(mock.requests.length, calls, 'nothing asked again');
  assert.ok(
    log.every((l) => l.includes('reusing')),
    log.join('\n'),
  );
  assert.deepEqual(again.simulations[0]!.run, simulation!.run);
});
