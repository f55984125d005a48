import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import { z } from 'zod';
import { candidatesFile } from '../augment/artifacts.js';
import type { Config } from '../config/schema.js';
import { ConfigSchema } from '../config/schema.js';
import type { SplitName } from '../data/types.js';
import { readReportInput } from '../report/parse.js';
import { Comparison, type ReportInput } from '../report/schema.js';
import { BEST_CHECKPOINT } from '../train/trainer.js';
import { CrsaugError } from '../util/errors.js';
import { readJsonFile } from '../util/json.js';
import { ApiError } from './errors.js';
import { RUN_ID_PATTERN } from './schemas.js';

/** The part of a stage's artifact.json the server reads (pipeline/artifact-store.ts writes it). */
const ArtifactFileSchema = z.looseObject({
  identity: z.looseObject({ stage: z.string(), inputs: z.array(z.string()), settings: z.unknown() }),
  value: z.unknown(),
  finishedAt: z.string().default(''),
});

const TrainValueSchema = z.looseObject({
  model: z.string(),
  mode: z.string(),
  runs: z.array(z.looseObject({ seed: z.number().int(), test: z.record(z.string(), z.number()) })),
});

const RunResultsSchema = z.looseObject({
  dataset: z.string(),
  results: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.record(z.string(), z.number())))),
  /** Each augmented mode against its baseline (absent in results.json of older runs). */
  comparisons: z.array(Comparison).default([]),
});
export type RunResultsFile = z.output<typeof RunResultsSchema>;

interface ArtifactRecord {
  key: string;
  dir: string;
  stage: string;
  inputs: string[];
  settings: unknown;
  value: unknown;
  finishedAt: string;
}

/** A trained model of a run: one backbone in one mode, with a best checkpoint per seed. */
export interface TrainedModel {
  backbone: string;
  mode: string;
  seeds: number[];
  /** The artifact key: a content hash, so it names these weights exactly (a cache key). */
  key: string;
  dir: string;
}

/** The augmentation artifacts the run's stage-1 models were trained from. */
export interface AugmentationArtifacts {
  retrieveDir?: string;
  studentDir?: string;
  /** The student's artifact key (cache key of the loaded student). */
  studentKey?: string;
  teacherFiles: string[];
  teacherDescription?: string;
  synthesis?: {
    key: string;
    split: SplitName;
    file: string;
    threshold: number;
    topK: number;
    scorer: string;
    contexts: number;
    contextsWithoutLabels: number;
    labels: number;
  };
}

/** Everything the server knows about one run folder, read once and re-read when the folder changes. */
export interface RunState {
  id: string;
  dir: string;
  config: Config;
  dataset: string;
  results?: RunResultsFile;
  report?: ReportInput;
  trained: TrainedModel[];
  augmentation: AugmentationArtifacts;
}

const RUN_MARKERS = ['config.resolved.json', 'results.json'];

/**
 * The run folders under one root (what `crsaug run` writes: runs/<name>/). A run id is a folder name and is
 * resolved to a real path inside the root, so neither `..`, separators nor symlinks lead out of it.
 */
export class RunRegistry {
  readonly root: string;
  private readonly states = new Map<string, { signature: string; state: RunState }>();

  constructor(root: string) {
    if (!existsSync(root)) {
      throw new CrsaugError(`the runs folder ${root} does not exist`, {
        hint: '`npm start` (crsaug run) writes runs/<dataset>; or pass --runs <dir>',
      });
    }
    this.root = realpathSync(root);
  }

  /** Ids of the run folders, by name. */
  ids(): string[] {
    return readdirSync(this.root)
      .filter((name) => RUN_ID_PATTERN.test(name) && this.folderOf(name) !== undefined)
      .sort();
  }

  /**
   * The state of a run; throws 400 for an id that is not a folder name and 404 for one that is no run here.
   * `field` names the request field the id came from, for the error.
   */
  get(id: string, field = 'id'): RunState {
    if (!RUN_ID_PATTERN.test(id)) {
      throw new ApiError(
        400,
        'invalid_run_id',
        `"${id}" is not a run id (a folder name under the runs folder)`,
        field,
      );
    }
    const dir = this.folderOf(id);
    if (!dir) throw new ApiError(404, 'unknown_run', `no run "${id}" in the runs folder`, field);
    const signature = RUN_MARKERS.concat('artifacts', 'report.json')
      .map((name) => {
        const path = join(dir, name);
        return existsSync(path) ? statSync(path).mtimeMs : 0;
      })
      .join(':');
    const cached = this.states.get(dir);
    if (cached?.signature === signature) return cached.state;
    const state = readRunState(id, dir);
    this.states.set(dir, { signature, state });
    return state;
  }

  /** The report of a run as written by `crsaug run`, or undefined. */
  reportHtml(state: RunState): string | undefined {
    const file = join(state.dir, 'report.html');
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  }

  /** The real path of a run folder inside the root, or undefined when `name` is no run folder there. */
  private folderOf(name: string): string | undefined {
    let real: string;
    try {
      real = realpathSync(join(this.root, name));
    } catch {
      return undefined;
    }
    if (!real.startsWith(this.root + sep) || !statSync(real).isDirectory()) return undefined;
    return RUN_MARKERS.some((marker) => existsSync(join(real, marker))) ? real : undefined;
  }
}

function readRunState(id: string, dir: string): RunState {
  const configFile = join(dir, 'config.resolved.json');
  const config = existsSync(configFile) ? readJsonFile(configFile, ConfigSchema) : undefined;
  const resultsFile = join(dir, 'results.json');
  const results = existsSync(resultsFile) ? readJsonFile(resultsFile, RunResultsSchema) : undefined;
  const reportFile = join(dir, 'report.json');
  const report = existsSync(reportFile) ? readReportInput(reportFile).input : undefined;
  const dataset = results?.dataset ?? report?.run.dataset ?? config?.dataset;
  if (!config || !dataset) {
    throw new ApiError(
      500,
      'run_unreadable',
      `run "${id}" has no config.resolved.json: was it made by \`crsaug run\`?`,
    );
  }
  const artifacts = readArtifacts(join(dir, 'artifacts'));
  const trained = selectTrained(artifacts, results);
  return {
    id,
    dir,
    config,
    dataset,
    results,
    report,
    trained,
    augmentation: augmentationOf(artifacts, trained),
  };
}

function readArtifacts(root: string): Map<string, ArtifactRecord> {
  const records = new Map<string, ArtifactRecord>();
  if (!existsSync(root)) return records;
  for (const key of readdirSync(root)) {
    const file = join(root, key, 'artifact.json');
    // A stage still running (or killed) has no artifact.json yet.
    if (!existsSync(file)) continue;
    const { identity, value, finishedAt } = readJsonFile(file, ArtifactFileSchema);
    records.set(key, {
      key,
      dir: join(root, key),
      stage: identity.stage,
      inputs: identity.inputs,
      settings: identity.settings,
      value,
      finishedAt,
    });
  }
  return records;
}

/**
 * The trained models of the run. A folder keeps the artifacts of earlier settings too, so for each
 * (backbone, mode) the artifact whose per-seed test metrics are the ones in results.json is chosen; without
 * results.json (a run still going), the latest finished one.
 */
function selectTrained(artifacts: Map<string, ArtifactRecord>, results?: RunResultsFile): TrainedModel[] {
  const groups = new Map<
    string,
    Array<{ record: ArtifactRecord; value: z.output<typeof TrainValueSchema> }>
  >();
  for (const record of artifacts.values()) {
    if (!record.stage.startsWith('train-')) continue;
    const parsed = TrainValueSchema.safeParse(record.value);
    if (!parsed.success) continue;
    const id = JSON.stringify([parsed.data.model, parsed.data.mode]);
    groups.set(id, [...(groups.get(id) ?? []), { record, value: parsed.data }]);
  }
  const trained: TrainedModel[] = [];
  for (const candidates of groups.values()) {
    candidates.sort((a, b) => b.record.finishedAt.localeCompare(a.record.finishedAt));
    const { model, mode } = candidates[0]!.value;
    const reported = results?.results[model]?.[mode];
    const matching = reported
      ? candidates.find(({ value }) =>
          value.runs.every((run) => sameMetrics(run.test, reported[String(run.seed)])),
        )
      : undefined;
    const chosen = matching ?? candidates[0]!;
    trained.push({
      backbone: model,
      mode,
      seeds: chosen.value.runs.map((r) => r.seed),
      key: chosen.record.key,
      dir: chosen.record.dir,
    });
  }
  // In the order results.json lists them (the run's: baseline first), else by finishing time.
  const order = (t: TrainedModel) => {
    const i = Object.keys(results?.results[t.backbone] ?? {}).indexOf(t.mode);
    return i < 0 ? Number.POSITIVE_INFINITY : i;
  };
  const finished = (t: TrainedModel) => artifacts.get(t.key)!.finishedAt;
  return trained.sort(
    (a, b) =>
      a.backbone.localeCompare(b.backbone) || order(a) - order(b) || finished(a).localeCompare(finished(b)),
  );
}

function sameMetrics(a: Record<string, number>, b: Record<string, number> | undefined): boolean {
  if (!b) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

const SynthesizeValueSchema = z.looseObject({
  scorer: z.string(),
  threshold: z.number(),
  contexts: z.number(),
  contextsWithoutLabels: z.number(),
  labels: z.number(),
  file: z.string(),
});
const SynthesizeSettingsSchema = z.looseObject({
  synthesize: z.looseObject({ split: z.enum(['train', 'valid', 'test']), topK: z.number().int() }),
});
const TeacherValueSchema = z.looseObject({
  files: z.array(z.string()),
  provider: z.looseObject({ description: z.string() }),
});

/**
 * Follows the artifacts' inputs from a stage-1 model back to the synthesis, the student, the retrieval and
 * the teacher it was trained from; a run without stage 1 uses the latest of each.
 */
function augmentationOf(
  artifacts: Map<string, ArtifactRecord>,
  trained: TrainedModel[],
): AugmentationArtifacts {
  const latest = (stage: string) =>
    [...artifacts.values()]
      .filter((a) => a.stage === stage)
      .sort((a, b) => b.finishedAt.localeCompare(a.finishedAt))[0];
  const inputOf = (record: ArtifactRecord | undefined, stage: string) =>
    record ? record.inputs.map((k) => artifacts.get(k)).find((a) => a?.stage === stage) : latest(stage);
  const stage1 = trained.find((t) => t.mode === 'stage1');
  const synthesize = inputOf(stage1 ? artifacts.get(stage1.key) : undefined, 'synthesize');
  const retrieve = inputOf(synthesize, 'retrieve');
  const distill = inputOf(synthesize, 'distill');
  const teacher = inputOf(distill, 'teacher');

  const out: AugmentationArtifacts = {
    retrieveDir: retrieve?.dir,
    studentDir: distill?.dir,
    studentKey: distill?.key,
    teacherFiles: [],
  };
  const teacherValue = TeacherValueSchema.safeParse(teacher?.value);
  if (teacher && teacherValue.success) {
    // Paths were absolute where the run was made; a moved run folder still holds its own teacher file.
    out.teacherFiles = teacherValue.data.files
      .map((file) => (existsSync(file) ? file : join(teacher.dir, basename(file))))
      .filter((file) => existsSync(file));
    out.teacherDescription = teacherValue.data.provider.description;
  }
  const value = SynthesizeValueSchema.safeParse(synthesize?.value);
  const settings = SynthesizeSettingsSchema.safeParse(synthesize?.settings);
  if (synthesize && value.success && settings.success) {
    out.synthesis = {
      key: synthesize.key,
      split: settings.data.synthesize.split,
      file: join(synthesize.dir, basename(value.data.file)),
      threshold: value.data.threshold,
      topK: settings.data.synthesize.topK,
      scorer: value.data.scorer,
      contexts: value.data.contexts,
      contextsWithoutLabels: value.data.contextsWithoutLabels,
      labels: value.data.labels,
    };
  }
  return out;
}

/** The best checkpoint of a trained model for one seed. */
export function checkpointOf(model: TrainedModel, seed: number): string {
  return join(model.dir, `seed-${seed}`, BEST_CHECKPOINT);
}

/** The retrieved candidates of a split, as `augment retrieve` wrote them. */
export function candidatesOf(augmentation: AugmentationArtifacts, split: SplitName): string | undefined {
  return augmentation.retrieveDir ? candidatesFile(augmentation.retrieveDir, split) : undefined;
}
