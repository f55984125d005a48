import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import { engine } from '../../src/engine/index.js';
import { openPipeline } from '../../src/pipeline/context.js';

const root = mkdtempSync(join(tmpdir(), 'crsaug-pipeline-setup-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('the pipeline set-up applies config.threads (runPipeline used to ignore it) and keys retrieval by the dataset', async () => {
  const config = resolveConfig({ cwd: root, env: {}, flags: { dataset: 'inspired', threads: 1 } });
  const { ctx, stats, datasetKey } = await openPipeline(config, root, () => {});
  assert.equal(engine().threads, 1);
  assert.equal(stats.test?.pairs, 161);
  assert.equal(
    datasetKey,
    `dataset-inspired-${JSON.stringify([stats.train!.pairs, stats.valid!.pairs, 161])}`,
  );
  assert.equal(ctx.store.root, join(root, 'artifacts'));
});
