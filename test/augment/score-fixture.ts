/** Shared setup of the scoring tests: the real INSPIRED test split and a few pairs of it. */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import type { ScorePair } from '../../src/augment/score-request.js';
import { ScoreConfigSchema } from '../../src/config/augment.js';
import { resolveDataDir } from '../../src/config/paths.js';
import { loadDataset } from '../../src/data/index.js';
import type { Dataset } from '../../src/data/types.js';
import { MockOpenAIServer } from '../providers/mock-openai-server.js';

export async function loadInspiredTest(): Promise<Dataset> {
  return loadDataset('inspired', { dataDir: resolveDataDir(undefined).dir, splits: ['test'] });
}

/** `contexts` contexts of the test split with some dialogue, each paired with catalog items 0..perContext-1. */
export function fixturePairs(dataset: Dataset, contexts: number, perContext: number): ScorePair[] {
  const chosen = dataset.splits.test!.contexts.filter((c) => c.utterances.length >= 2).slice(0, contexts);
  return chosen.flatMap((c) =>
    Array.from({ length: perContext }, (_, i) => ({
      dialogId: c.dialogId,
      turnId: c.turnId,
      item: dataset.catalog.items[i]!.name,
      rank: i + 1,
    })),
  );
}

export const testScoreConfig = (overrides: Record<string, unknown> = {}) =>
  ScoreConfigSchema.parse(overrides);

/**
 * For a test file that scores against mock servers: `open()` (in its `before`) loads the INSPIRED test split
 * and makes a temporary folder; afterwards every mock server started through `startMock` is closed (one
 * left open by a failing test would keep the process alive) and the folder removed.
 */
export function mockScoringBed(folderPrefix: string) {
  const servers: MockOpenAIServer[] = [];
  let dir: string | undefined;
  after(async () => {
    await Promise.all(servers.map((m) => m.close()));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    async open(): Promise<{ dataset: Dataset; dir: string }> {
      dir = mkdtempSync(join(tmpdir(), folderPrefix));
      return { dataset: await loadInspiredTest(), dir };
    },
    async startMock(script?: Parameters<typeof MockOpenAIServer.start>[0]): Promise<MockOpenAIServer> {
      const mock = await MockOpenAIServer.start(script);
      servers.push(mock);
      return mock;
    },
  };
}
