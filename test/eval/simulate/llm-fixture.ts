/** Shared setup of the LLM simulator tests: INSPIRED (train for popularity, test to simulate) and a run. */
import { ProvidersConfigSchema } from '../../../src/config/providers.js';
import { loadDataset } from '../../../src/data/index.js';
import type { Dataset } from '../../../src/data/types.js';
import { LlmSimulator } from '../../../src/eval/simulate/llm-simulator.js';
import { simulateDialogues } from '../../../src/eval/simulate/run.js';
import { createPopularity } from '../../../src/models/popularity.js';
import { createChatModel } from '../../../src/providers/factory.js';

export function loadInspiredForSimulation(): Promise<Dataset> {
  return loadDataset('inspired', { splits: ['train', 'test'] });
}

/** The first `count` test contexts with a gold item, as indices into the test split. */
export function simulatedContexts(dataset: Dataset, count: number): number[] {
  const indices: number[] = [];
  dataset.splits.test!.contexts.forEach((c, i) => {
    if (c.gold.length > 0 && indices.length < count) indices.push(i);
  });
  return indices;
}

export interface LlmRunOptions {
  url: string;
  cacheDir: string;
  contexts: number[];
  turns: number;
  maxAttempts?: number;
  transcriptsFile?: string;
  concurrency?: number;
}

/** Simulates dialogues with popularity as the CRS and the LLM simulator on the mock server (cache on). */
export async function runLlmSimulation(dataset: Dataset, o: LlmRunOptions) {
  const providers = ProvidersConfigSchema.parse({
    chat: { baseUrl: o.url, model: 'mock-user', maxRetries: 0 },
  });
  const chat = await createChatModel(providers, { cacheDir: o.cacheDir, stage: 'simulate' });
  try {
    const simulator = new LlmSimulator(dataset, {
      model: chat.model,
      seed: 42,
      maxAttempts: o.maxAttempts ?? 3,
      maxTokens: 80,
      temperature: 0,
      plotChars: 240,
    });
    return await simulateDialogues(
      createPopularity(dataset),
      dataset.splits.test!.contexts,
      dataset.catalog,
      simulator,
      {
        turns: o.turns,
        ks: [1, 10, 50],
        topK: 100,
        concurrency: o.concurrency ?? 4,
        contextIndices: o.contexts,
        transcriptsFile: o.transcriptsFile,
        silent: true,
      },
    );
  } finally {
    chat.close();
  }
}
