import { basename } from 'node:path';
import type { DistillConfig, RetrieveConfig } from '../config/augment.js';
import type { Dataset } from '../data/types.js';
import { assertTrainingJudgments } from '../eval/judgments.js';
import type { EmbeddingModel } from '../providers/types.js';
import { CrsaugError } from '../util/errors.js';
import { writeJsonFile } from '../util/json.js';
import { Progress } from '../util/progress.js';
import { Rng } from '../util/rng.js';
import { formatTable, percentCell } from '../util/table.js';
import { type Agreement, agreement } from './agreement.js';
import { contextKey } from './context-text.js';
import { FEATURE_SETS, type FeatureName, PairFeaturizer, SemanticSpace } from './features/index.js';
import { gatherRows, Student } from './student.js';
import { DatasetCache, loadTeacherSet, type TeacherPair, type TeacherSet } from './teacher-set.js';

/** Judged pairs turned into feature rows, with the context each row belongs to. */
export interface FeaturizedPairs {
  features: Float32Array;
  targets: Float32Array;
  contextKeys: string[];
}

/** One teacher file's part in the run. */
export interface TeacherFileSummary {
  file: string;
  dataset: string;
  split: string;
  contexts: number;
  pairs: number;
  heldOutContexts: number;
  heldOutPairs: number;
}

/** A scorer's agreement with the teacher on one scope (a teacher file, or all held-out pairs). */
export interface AgreementRow {
  scope: string;
  scorer: 'student' | 'train mean' | 'embedding similarity';
  agreement: Agreement;
}

export interface DistillResult {
  student: Student;
  files: TeacherFileSummary[];
  /** Held-out agreement: the student and the two baselines, per file and over all files. */
  rows: AgreementRow[];
  trainMse: number[];
  trainPairs: number;
}

export interface DistillOptions {
  teacherFiles: string[];
  /** Where the judged datasets are loaded from (default: the default data root). */
  datasets?: DatasetCache;
  /** The embedding model for a dataset (the same one `augment retrieve` uses for it). */
  openEmbedder: (dataset: Dataset) => Promise<EmbeddingModel>;
  retrieveConfig: RetrieveConfig;
  config: DistillConfig;
  seed: number;
  silent?: boolean;
}

/** Computes the features of every judged pair of a teacher set (contexts embedded in one batch). */
export async function featurizeTeacherSet(
  set: TeacherSet,
  featurizer: PairFeaturizer,
  silent?: boolean,
  names?: readonly FeatureName[],
): Promise<FeaturizedPairs> {
  const byContext = new Map<string, TeacherPair[]>();
  for (const pair of set.pairs) {
    const key = contextKey(pair.context.dialogId, pair.context.turnId);
    const list = byContext.get(key);
    if (list) list.push(pair);
    else byContext.set(key, [pair]);
  }
  const groups = [...byContext.values()];
  const progress = new Progress(`features ${basename(set.file)}`, groups.length, {
    unit: 'contexts',
    silent,
  });
  const features = await featurizer.featurize(
    groups.map((g) => ({ context: g[0]!.context, items: g.map((p) => p.item) })),
    names,
  );
  progress.tick(groups.length);
  progress.finish();
  const ordered = groups.flat();
  return {
    features,
    targets: Float32Array.from(ordered, (p) => p.score),
    contextKeys: ordered.map((p) => contextKey(p.context.dialogId, p.context.turnId)),
  };
}

/** A seeded split of contexts: `share` of them (rounded, at least one when share > 0) are held out. */
export function heldOutContexts(keys: readonly string[], share: number, seed: number): Set<string> {
  const unique = [...new Set(keys)].sort();
  new Rng(seed).shuffle(unique);
  const count = share > 0 ? Math.max(1, Math.round(unique.length * share)) : 0;
  return new Set(unique.slice(0, count));
}

/**
 * Distillation: features for every teacher judgment, a held-out split by context in each file, a student
 * MLP trained with MSE on the rest, and its held-out agreement next to two baselines (the train mean, and
 * the raw embedding similarity, whose Spearman is the retriever's own ranking quality).
 */
export async function distill(options: DistillOptions): Promise<DistillResult> {
  const datasets = options.datasets ?? new DatasetCache();
  const featurizers = new Map<Dataset, Promise<PairFeaturizer>>();
  const featurizerFor = (dataset: Dataset) => {
    let f = featurizers.get(dataset);
    if (!f) {
      f = options
        .openEmbedder(dataset)
        .then((model) => SemanticSpace.create(model, dataset.catalog, options.retrieveConfig))
        .then((space) => PairFeaturizer.create(dataset, space));
      featurizers.set(dataset, f);
    }
    return f;
  };
  const parts: Array<{ summary: TeacherFileSummary; data: FeaturizedPairs; heldOut: boolean[] }> = [];
  const embedders = new Set<string>();
  const featureNames = FEATURE_SETS[options.config.features];
  const width = featureNames.length;
  for (const [index, file] of options.teacherFiles.entries()) {
    const set = await loadTeacherSet(file, datasets);
    assertTrainingJudgments([set], 'distillation');
    const featurizer = await featurizerFor(set.dataset);
    embedders.add(featurizer.space.model.provider);
    const data = await featurizeTeacherSet(set, featurizer, options.silent, featureNames);
    // Valid judgments only measure agreement: training on them would tune the labels to the split that
    // selects epochs, thresholds and α.
    const share = set.split === 'valid' ? 1 : options.config.heldOutShare;
    const held = heldOutContexts(data.contextKeys, share, options.seed + index);
    const heldOut = data.contextKeys.map((k) => held.has(k));
    parts.push({
      summary: {
        file,
        dataset: set.dataset.name,
        split: set.split,
        contexts: new Set(data.contextKeys).size,
        pairs: set.pairs.length,
        heldOutContexts: held.size,
        heldOutPairs: heldOut.filter(Boolean).length,
      },
      data,
      heldOut,
    });
  }
  const pick = (want: boolean) => {
    const features: number[] = [];
    const targets: number[] = [];
    const groups: number[] = [];
    const groupOf = new Map<string, number>();
    parts.forEach(({ data, heldOut }, part) => {
      heldOut.forEach((h, row) => {
        if (h !== want) return;
        for (let c = 0; c < width; c++) features.push(data.features[row * width + c]!);
        targets.push(data.targets[row]!);
        const key = `${part}\u0000${data.contextKeys[row]}`;
        if (!groupOf.has(key)) groupOf.set(key, groupOf.size);
        groups.push(groupOf.get(key)!);
      });
    });
    return {
      features: Float32Array.from(features),
      targets: Float32Array.from(targets),
      groups: Int32Array.from(groups),
    };
  };
  const train = pick(false);
  if (train.targets.length === 0) {
    throw new CrsaugError('no train-split judgments left to distil from', {
      hint: 'valid judgments only measure the student; pass a teacher file of the train split',
    });
  }
  // Valid files only measure agreement: the description names the files the student learned from.
  const sources = [
    ...new Set(
      parts.filter((p) => p.summary.split !== 'valid').map((p) => `${p.summary.dataset}/${p.summary.split}`),
    ),
  ].join(' + ');
  const { student, trainMse } = Student.train(train.features, train.targets, {
    ...options.config,
    featureNames,
    groups: train.groups,
    seed: options.seed,
    description: `feature MLP distilled from teacher judgments (${sources}, ${train.targets.length} pairs)`,
    embedder: [...embedders].join('+'),
    silent: options.silent,
  });
  const trainMean = train.targets.reduce((s, t) => s + t, 0) / Math.max(1, train.targets.length);
  const rows: AgreementRow[] = [];
  const evaluate = (scope: string, features: Float32Array, targets: Float32Array) => {
    if (targets.length === 0) return;
    const simColumn = featureNames.indexOf('sem_sim');
    const similarity = Float32Array.from(targets, (_, r) => features[r * width + simColumn]!);
    rows.push({ scope, scorer: 'student', agreement: agreement(student.predict(features), targets) });
    rows.push({
      scope,
      scorer: 'train mean',
      agreement: agreement(new Float32Array(targets.length).fill(trainMean), targets),
    });
    rows.push({ scope, scorer: 'embedding similarity', agreement: agreement(similarity, targets, []) });
  };
  for (const { summary, data, heldOut } of parts) {
    const rowsOf = heldOut.flatMap((h, r) => (h ? [r] : []));
    const features = gatherRows(data.features, width, rowsOf);
    evaluate(
      `${summary.dataset}/${summary.split}`,
      features,
      Float32Array.from(rowsOf, (r) => data.targets[r]!),
    );
  }
  if (parts.length > 1) {
    const all = pick(true);
    evaluate('all', all.features, all.targets);
  }
  return { student, files: parts.map((p) => p.summary), rows, trainMse, trainPairs: train.targets.length };
}

/** Saves the student (model.safetensors + config.json) and its agreement report (agreement.json). */
export async function saveDistillResult(dir: string, result: DistillResult): Promise<void> {
  await result.student.save(dir, { description: result.student.config.description });
  await writeJsonFile(`${dir}/agreement.json`, {
    files: result.files,
    rows: result.rows,
    trainMse: result.trainMse,
  });
}

const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '—');

/** The held-out agreement table (Markdown): MAE, Spearman, Pearson and P/R/F1 at 3.5 and 3.0. */
export function formatAgreementTable(rows: readonly AgreementRow[]): string {
  const header = [
    'scope',
    { header: 'scorer', align: 'left' as const },
    'pairs',
    'MAE',
    'Spearman',
    'Pearson',
    ...[3.5, 3.0].flatMap((t) => [`P@${t.toFixed(1)} %`, `R@${t.toFixed(1)} %`, `F1@${t.toFixed(1)} %`]),
  ];
  const lines: string[][] = [];
  const share = (v: number) => (Number.isFinite(v) ? percentCell(v) : '—');
  for (const { scope, scorer, agreement: a } of rows) {
    // The similarity is not on the 0-4 scale: only its ranking (Spearman) is comparable.
    const rankOnly = scorer === 'embedding similarity';
    const cells = [
      scope,
      scorer,
      String(a.pairs),
      rankOnly ? '—' : fmt(a.mae),
      fmt(a.spearman),
      rankOnly ? '—' : fmt(a.pearson),
    ];
    for (const threshold of [3.5, 3.0]) {
      const t = a.thresholds.find((x) => x.threshold === threshold);
      cells.push(t ? share(t.precision) : '—', t ? share(t.recall) : '—', t ? share(t.f1) : '—');
    }
    lines.push(cells);
  }
  return formatTable(header, lines);
}
