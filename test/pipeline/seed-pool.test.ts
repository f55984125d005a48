import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import { loadConfiguredDataset } from '../../src/data/index.js';
import { configureEngine } from '../../src/engine/index.js';
import { splitOf } from '../../src/eval/index.js';
import { ArtifactStore } from '../../src/pipeline/artifact-store.js';
import { type SeedSimulator, simulateGroup, simulatorOf } from '../../src/pipeline/beyond-labels.js';
import { seedRunnerFor, seedWorkersFor, shareThreads } from '../../src/pipeline/seed-pool.js';
import type { SeedRun } from '../../src/pipeline/seed-task.js';
import { checkpointSystem, floorSystem } from '../../src/pipeline/systems.js';
import { bestCheckpointOf, trainStage } from '../../src/pipeline/train-stages.js';
import { CrsaugError } from '../../src/util/errors.js';

const root = mkdtempSync(join(tmpdir(), 'crsaug-seed-pool-'));
after(() => rmSync(root, { recursive: true, force: true }));

function config(flags: Record<string, unknown>): Config {
  return resolveConfig({ cwd: root, env: {}, flags: { dataset: 'inspired', ...flags } });
}

test('seedWorkersFor: one seed per engine thread unless run.seedWorkers says, never more than the seeds', () => {
  configureEngine({ threads: 2 });
  const of = (seeds: number, seedWorkers: number) =>
    seedWorkersFor(config({ train: { seeds }, run: { seedWorkers } }));
  assert.equal(of(5, 0), 2);
  assert.equal(of(1, 0), 1);
  assert.equal(of(5, 1), 1);
  assert.equal(of(5, 3), 3);
  assert.equal(of(2, 4), 2);
  configureEngine({ threads: 1 });
  assert.equal(of(5, 0), 1);
});

test('shareThreads: the engine threads split evenly over the seeds in training, at least one each', () => {
  assert.deepEqual(shareThreads(2, 2), [1, 1]);
  assert.deepEqual(shareThreads(2, 1), [2]);
  assert.deepEqual(shareThreads(5, 2), [3, 2]);
  assert.deepEqual(shareThreads(2, 3), [1, 1, 1]);
  assert.deepEqual(shareThreads(4, 0), []);
});

/** The seeds' results without their wall times (which differ run to run). */
const results = (runs: SeedRun[]) => runs.map(({ trainSeconds: _, ...run }) => run);

/** Every file of every seed folder of a stage, by relative path. */
function seedFiles(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.parentPath.includes('seed-')) continue;
    if (!entry.name.endsWith('.safetensors')) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(path.slice(dir.length), readFileSync(path));
  }
  return files;
}

// Three seeds on two workers: the third trains alone at the end and is given both threads mid-run.
test('a stage trained two seeds at a time in worker threads equals the one trained seed by seed on the main thread', async () => {
  configureEngine({ threads: 2 });
  const settings = { train: { seeds: 3, epochs: 2 }, cacheDir: join(root, 'cache') };
  const serial = config({ ...settings, run: { seedWorkers: 1 } });
  const parallel = config({ ...settings, run: { seedWorkers: 2 } });
  const dataset = await loadConfiguredDataset(serial);
  const stage = { backbone: 'kbrd', mode: 'baseline', label: 'baseline' } as const;

  const one = await trainStage(
    { config: serial, dataset, store: new ArtifactStore(join(root, 'serial')), log: () => {} },
    stage,
  );
  const seeds = seedRunnerFor(parallel, dataset);
  assert.equal(seeds.width, 2);
  try {
    const two = await trainStage(
      { config: parallel, dataset, store: new ArtifactStore(join(root, 'parallel')), log: () => {}, seeds },
      stage,
    );
    assert.deepEqual(
      two.value.runs.map((r) => r.seed),
      [42, 43, 44],
    );
    assert.deepEqual(results(two.value.runs), results(one.value.runs));
    assert.equal(two.value.samples, one.value.samples);
    // Bit-identical checkpoints, not only equal metrics.
    const [a, b] = [seedFiles(one.dir), seedFiles(two.dir)];
    assert.ok(a.size >= 3, 'every seed wrote its checkpoints');
    assert.deepEqual([...b.keys()].sort(), [...a.keys()].sort());
    for (const [file, bytes] of a) assert.ok(bytes.equals(b.get(file)!), file);

    // A seed that fails in a worker fails the stage with the error the CLI prints, and the pool goes on.
    const missing = join(root, 'no-such-synthetic.jsonl');
    await assert.rejects(
      trainStage(
        { config: parallel, dataset, store: new ArtifactStore(join(root, 'failing')), log: () => {}, seeds },
        { backbone: 'kbrd', mode: 'stage1', label: 'stage1', synthetic: { key: 'missing', file: missing } },
      ),
      (error: unknown) =>
        error instanceof CrsaugError && error.message.includes(missing) && (error.hint ?? '').length > 0,
    );
    const again = await trainStage(
      { config: parallel, dataset, store: new ArtifactStore(join(root, 'again')), log: () => {}, seeds },
      stage,
    );
    assert.deepEqual(results(again.value.runs), results(one.value.runs));
  } finally {
    await seeds.close();
  }
});

test('the attribute simulator run in seed workers writes the same transcripts and numbers as on the main thread', async () => {
  configureEngine({ threads: 2 });
  const cfg = config({
    train: { seeds: 2, epochs: 1 },
    cacheDir: join(root, 'cache'),
    run: { seedWorkers: 2 },
  });
  const dataset = await loadConfiguredDataset(cfg);
  const trained = await trainStage(
    { config: cfg, dataset, store: new ArtifactStore(join(root, 'simulated')), log: () => {} },
    { backbone: 'kbrd', mode: 'baseline', label: 'baseline' },
  );
  const groups = [
    { model: 'popularity', mode: 'baseline', trained: false, systems: [floorSystem('popularity', 42)] },
    {
      model: 'kbrd',
      mode: 'baseline',
      trained: true,
      systems: trained.value.runs.map((r) =>
        checkpointSystem('kbrd', 'baseline', r.seed, bestCheckpointOf(trained, r.seed)),
      ),
    },
  ];
  const contexts = splitOf(dataset, 'test').contexts;
  const simulator = simulatorOf('attribute', cfg, dataset);
  const options = { turns: 3, ks: [1, 10], topK: 100, concurrency: 4, silent: true };
  const simulate = (where: string, seedSimulator?: SeedSimulator) => {
    mkdirSync(join(root, where));
    return Promise.all(
      groups.map((group) =>
        simulateGroup(group, dataset, contexts, simulator, {
          ...options,
          seedSimulator,
          transcriptsFileOf: (system) => join(root, where, `${system.name}.jsonl`),
        }),
      ),
    );
  };
  const here = await simulate('here');
  const seeds = seedRunnerFor(cfg, dataset);
  try {
    const inWorkers = await simulate('workers', {
      simulate: (system, opts) =>
        seeds.simulate({ config: cfg, split: 'test', system: system.source!, options: opts }),
    });
    assert.deepEqual(inWorkers, here);
    assert.deepEqual(
      here.map((g) => g.seeds.length),
      [1, 2],
    );
    assert.ok(here[1]!.seeds[0]!.summary.dialogues > 0);
    for (const name of ['popularity', 'kbrd-baseline-s42', 'kbrd-baseline-s43']) {
      const [a, b] = ['here', 'workers'].map((where) => readFileSync(join(root, where, `${name}.jsonl`)));
      assert.ok(a!.length > 0 && a!.equals(b!), name);
    }
  } finally {
    await seeds.close();
  }
});
