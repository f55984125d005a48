import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveDataDir } from '../../src/config/paths.js';
import { type Config, ConfigSchema } from '../../src/config/schema.js';
import { loadDataset } from '../../src/data/index.js';
import type { Dataset } from '../../src/data/types.js';

let inspired: Promise<Dataset> | null = null;

/** INSPIRED from the shared data folder, loaded once per test file. */
export function loadInspired(): Promise<Dataset> {
  inspired ??= loadDataset('inspired', { dataDir: resolveDataDir(undefined).dir });
  return inspired;
}

/** A tiny, fast training config (8-d KBRD) on top of the schema defaults. */
export function tinyConfig({ lr = 0.01, ...train }: Record<string, unknown> = {}): Config {
  return ConfigSchema.parse({
    dataset: 'inspired',
    train: {
      epochs: 2,
      seeds: 1,
      batchSize: 128,
      // `lr` is kbrd's: the learning rate is set per backbone (train.kbrd.lr).
      kbrd: { dim: 8, bases: 2, attentionDim: 8, maxEntities: 8, lr },
      ...train,
    },
  });
}

const created: string[] = [];
process.on('exit', () => {
  for (const dir of created) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder, removed when the test process exits. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `crsaug-${prefix}-`));
  created.push(dir);
  return dir;
}

/** The first `n` train contexts' split, so a training epoch takes well under a second. */
export function withTrainSubset(dataset: Dataset, n: number): Dataset {
  const train = dataset.splits.train!;
  return {
    ...dataset,
    splits: { ...dataset.splits, train: { ...train, contexts: train.contexts.slice(0, n) } },
  };
}
