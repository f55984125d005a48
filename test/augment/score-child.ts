/**
 * Child process of the kill-and-restart test in score.test.ts: scores the fixture pairs through the provider
 * factory (SQLite cache on) into a scores file. Does nothing unless started by that test.
 */

import { scorePairs } from '../../src/augment/score.js';
import { ScoreRequests } from '../../src/augment/score-request.js';
import { ProvidersConfigSchema } from '../../src/config/providers.js';
import { createChatModel } from '../../src/providers/factory.js';
import { fixturePairs, loadInspiredTest, testScoreConfig } from './score-fixture.js';

const url = process.env.CRSAUG_TEST_SCORE_URL;
if (url) {
  const dataset = await loadInspiredTest();
  const config = testScoreConfig({ concurrency: 3 });
  const providers = ProvidersConfigSchema.parse({
    chat: { baseUrl: url, model: 'mock-judge', maxRetries: 0 },
  });
  const { model, close } = await createChatModel(providers, {
    cacheDir: process.env.CRSAUG_TEST_SCORE_CACHE,
    stage: 'score',
  });
  const summary = await scorePairs({
    model,
    requests: new ScoreRequests(dataset, config),
    pairs: fixturePairs(dataset, 8, 4),
    config,
    scoresFile: process.env.CRSAUG_TEST_SCORE_FILE!,
    silent: true,
  });
  close();
  process.stdout.write(JSON.stringify(summary));
}
