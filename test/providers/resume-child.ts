/**
 * Child process for the kill-and-restart test in cache.test.ts: labels N prompts one after another through
 * createChatModel (cache on) and prints the usage rows. Does nothing unless started by that test.
 */
import { ProvidersConfigSchema } from '../../src/config/providers.js';
import { createChatModel } from '../../src/providers/factory.js';

const url = process.env.CRSAUG_TEST_RESUME_URL;
if (url) {
  const config = ProvidersConfigSchema.parse({ chat: { baseUrl: url, model: 'mock-llm', maxRetries: 0 } });
  const { model, usage, close } = await createChatModel(config, {
    cacheDir: process.env.CRSAUG_TEST_RESUME_CACHE,
    stage: 'label',
  });
  const count = Number(process.env.CRSAUG_TEST_RESUME_COUNT);
  for (let i = 0; i < count; i++) {
    await model.doGenerate({ messages: [{ role: 'user', content: `pair ${i}` }], maxTokens: 4 });
  }
  close();
  process.stdout.write(JSON.stringify(usage.summary()));
}
