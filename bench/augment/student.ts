// Issue 4c: the distilled student scorer — pairs/s of featurize + predict on one core over INSPIRED train
// retrieval candidates, and its held-out agreement with the teacher (src/augment/distill.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distill, formatAgreementTable } from '../../src/augment/distill.js';
import { PairFeaturizer, SemanticSpace } from '../../src/augment/features/index.js';
import { openDatasetEmbedder } from '../../src/augment/stages/stage.js';
import { defaultTeacherDir } from '../../src/augment/teacher-set.js';
import { selectTopK } from '../../src/augment/topk.js';
import { resolveDataDir } from '../../src/config/paths.js';
import { ConfigSchema } from '../../src/config/schema.js';
import { loadDataset } from '../../src/data/index.js';
import type { Dataset } from '../../src/data/types.js';
import { configureEngine } from '../../src/engine/index.js';
import type { EmbeddingModel } from '../../src/providers/types.js';
import { table } from '../report.js';

const CANDIDATES = 50;
const TEACHER_FILE = 'inspired_train.jsonl';

export async function studentScorer(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'crsaug-bench-student-'));
  // No provider cache: featurize must embed its contexts itself, as on a first run.
  const config = ConfigSchema.parse({ cacheDir: dir, providers: { cache: false } });
  const closers: Array<() => void> = [];
  // One embedder per dataset, shared by distill and the throughput run (fitting the builtin one takes ~40 s).
  const opened = new Map<string, Promise<EmbeddingModel>>();
  const open = (dataset: Dataset) => {
    let model = opened.get(dataset.name);
    if (!model) {
      model = openDatasetEmbedder(config, dataset, { stage: 'bench', role: 'embedder' }, {}).then(
        (provided) => {
          closers.push(provided.close);
          return provided.model;
        },
      );
      opened.set(dataset.name, model);
    }
    return model;
  };
  configureEngine({ threads: 1 });
  try {
    const distillStart = performance.now();
    const result = await distill({
      teacherFiles: [join(defaultTeacherDir(), TEACHER_FILE)],
      openEmbedder: open,
      retrieveConfig: config.augment.retrieve,
      config: config.augment.distill,
      seed: config.seed,
      silent: true,
    });
    const distillSeconds = (performance.now() - distillStart) / 1000;
    const dataset = await loadDataset('inspired', { dataDir: resolveDataDir(undefined).dir });
    const space = await SemanticSpace.create(await open(dataset), dataset.catalog, config.augment.retrieve);
    const featurizer = PairFeaturizer.create(dataset, space);
    const contexts = dataset.splits.train!.contexts;
    // Candidates as retrieval picks them: the top-50 items by context similarity, context items excluded.
    const sims = await featurizer.similarities(contexts);
    const requests = contexts.map((context, i) => {
      const mentioned = new Set(
        context.entities.map((e) => dataset.catalog.itemOfEntity[e]!).filter((x) => x >= 0),
      );
      return { context, items: [...selectTopK(sims[i]!.context, CANDIDATES, mentioned).items] };
    });
    const pairs = requests.reduce((s, r) => s + r.items.length, 0);
    const start = performance.now();
    const features = await featurizer.featurize(requests);
    const featurized = performance.now();
    const scores = result.student.predict(features);
    const end = performance.now();
    const seconds = (end - start) / 1000;
    return [
      `Throughput: ${contexts.length} INSPIRED train contexts × top-${CANDIDATES} candidates (builtin embedder, context items ` +
        `excluded) = ${pairs} pairs, engine on 1 thread, no provider cache (featurize embeds the contexts itself).`,
      '',
      table(
        [
          'pairs',
          'featurize s (incl. context embedding)',
          'predict s',
          'total s',
          'pairs/s',
          'mean predicted score',
        ],
        [
          [
            pairs,
            ((featurized - start) / 1000).toFixed(2),
            ((end - featurized) / 1000).toFixed(3),
            seconds.toFixed(2),
            (pairs / seconds).toFixed(0),
            (scores.reduce((s, x) => s + x, 0) / scores.length).toFixed(2),
          ],
        ],
      ),
      '',
      `Agreement with held-out teacher labels: \`distill\` on the shared teacher file \`${TEACHER_FILE}\` ` +
        `(${result.files[0]?.pairs} judged pairs, ${result.files[0]?.heldOutPairs} held out by context), default distill settings, seed ${config.seed}, ` +
        `${result.trainPairs} training pairs, ${distillSeconds.toFixed(1)} s including featurization:`,
      '',
      formatAgreementTable(result.rows),
    ].join('\n');
  } finally {
    configureEngine({ threads: 0 });
    for (const close of closers) close();
    rmSync(dir, { recursive: true, force: true });
  }
}
