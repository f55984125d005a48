/**
 * Child process of the kill-and-restart test in llm-simulator.test.ts: simulates dialogues with the LLM
 * simulator on the mock server into a transcripts file. Does nothing unless started by that test.
 */
import { loadInspiredForSimulation, runLlmSimulation, simulatedContexts } from './llm-fixture.js';

const url = process.env.CRSAUG_TEST_SIM_URL;
if (url) {
  const dataset = await loadInspiredForSimulation();
  const result = await runLlmSimulation(dataset, {
    url,
    cacheDir: process.env.CRSAUG_TEST_SIM_CACHE!,
    transcriptsFile: process.env.CRSAUG_TEST_SIM_FILE!,
    contexts: simulatedContexts(dataset, Number(process.env.CRSAUG_TEST_SIM_CONTEXTS)),
    turns: 3,
    concurrency: 2,
  });
  const { transcripts: _written, ...summary } = result;
  process.stdout.write(JSON.stringify(summary));
}
