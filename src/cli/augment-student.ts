import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { candidatesFile, readCandidates, readScores } from '../augment/artifacts.js';
import { distill, formatAgreementTable, saveDistillResult } from '../augment/distill.js';
import { openDatasetEmbedder } from '../augment/embedder.js';
import { PairFeaturizer, SemanticSpace } from '../augment/features/index.js';
import { exportFinetuneSet } from '../augment/finetune-export.js';
import { Student } from '../augment/student.js';
import {
  formatSynthesisStats,
  studentScorer,
  synthesize,
  teacherScoresScorer,
} from '../augment/synthesize.js';
import { DatasetCache, defaultTeacherFiles, loadTeacherSet } from '../augment/teacher-set.js';
import type { Config } from '../config/schema.js';
import { loadDataset } from '../data/index.js';
import type { Dataset, SplitName } from '../data/types.js';
import type { EmbeddingModel } from '../providers/types.js';
import { CrsaugError } from '../util/errors.js';
import { type CommonFlags, loadConfig, outDirOf, splitName, withCommonFlags } from './augment.js';

/**
 * The retriever's embedding model for a dataset, opened as `augment retrieve` opens it (the builtin
 * embedder fitted on item texts plus train contexts), so student features live in the retrieval space.
 */
function embedderOpener(config: Config, closers: Array<() => void>) {
  return async (dataset: Dataset): Promise<EmbeddingModel> => {
    const opened = await openDatasetEmbedder(config, dataset, 'distill');
    closers.push(opened.close);
    process.stderr.write(`embedder for ${dataset.name}: ${opened.model.describe()}\n`);
    return opened.model;
  };
}

interface DistillFlags extends CommonFlags {
  teacher?: string[];
  student?: string;
  hidden?: number[];
  epochs?: number;
  heldOut?: number;
  exportFinetune?: string;
}

export function registerDistill(augment: Command): void {
  withCommonFlags(
    augment
      .command('distill')
      .description(
        'train the student scorer (feature MLP) on teacher judgments; print held-out agreement; save it',
      ),
  )
    .option(
      '--teacher <file...>',
      'teacher judgment JSONL file(s) (default: every file in ../shared/teacher)',
    )
    .option('--student <dir>', 'folder the student is saved to (default <out>/student)')
    .option('--hidden <list>', 'hidden layer widths, comma-separated', widthList)
    .option('--epochs <n>', 'training epochs', positiveNumber)
    .option('--held-out <share>', "share of each file's contexts held out for agreement", share)
    .option(
      '--export-finetune <file>',
      'also write the judgments as chat fine-tuning JSONL (the scorer prompt)',
    )
    .action(async (flags: DistillFlags) => {
      const config = loadConfig(flags, {
        distill: { hidden: flags.hidden, epochs: flags.epochs, heldOutShare: flags.heldOut },
      });
      const distillConfig = config.augment.distill;
      const teacherFiles = flags.teacher ?? defaultTeacherFiles(config.dataDir);
      const closers: Array<() => void> = [];
      try {
        const result = await distill({
          teacherFiles,
          dataDir: config.dataDir,
          openEmbedder: embedderOpener(config, closers),
          retrieveConfig: config.augment.retrieve,
          config: distillConfig,
          seed: config.seed,
        });
        const dir = resolve(flags.student ?? join(outDirOf(config), 'student'));
        await saveDistillResult(dir, result);
        let exported: Awaited<ReturnType<typeof exportFinetuneSet>> | undefined;
        if (flags.exportFinetune) {
          const datasets = new DatasetCache(config.dataDir);
          const sets = await Promise.all(teacherFiles.map((f) => loadTeacherSet(f, datasets)));
          exported = await exportFinetuneSet(sets, config.augment.score, resolve(flags.exportFinetune));
        }
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({ student: dir, description: result.student.config.description, files: result.files, rows: result.rows, exported })}\n`,
          );
          return;
        }
        const lines = [
          ...result.files.map(
            (f) =>
              `${f.file}: ${f.dataset}/${f.split}, ${f.pairs} pairs in ${f.contexts} contexts; held out ${f.heldOutPairs} pairs of ${f.heldOutContexts} contexts`,
          ),
          '',
          'held-out agreement with the teacher (split by context):',
          formatAgreementTable(result.rows),
          '',
          `student: ${result.student.config.description}; final train MSE ${result.trainMse.at(-1)?.toFixed(3)}`,
          `saved → ${dir}`,
        ];
        if (exported)
          lines.push(
            `fine-tuning set: ${exported.examples} chat examples (${exported.mode} answers, scores 0-4: ${exported.byScore.join('/')}) → ${exported.file}`,
          );
        process.stdout.write(`${lines.join('\n')}\n`);
      } finally {
        for (const close of closers) close();
      }
    });
}

interface SynthesizeFlags extends CommonFlags {
  split?: SplitName;
  candidates?: string;
  student?: string;
  teacherScores?: string;
  threshold?: number;
  topK?: number;
  output?: string;
}

export function registerSynthesize(augment: Command): void {
  withCommonFlags(
    augment
      .command('synthesize')
      .description(
        'score retrieved candidates with the student (or teacher scores), keep those ≥ threshold, write the synthetic dataset',
      ),
  )
    .option('--split <name>', 'split whose contexts get synthetic labels (default train)', splitName)
    .option(
      '--candidates <file>',
      'candidates JSONL (default <out>/<split>.candidates.jsonl from `augment retrieve`)',
    )
    .option('--student <dir>', 'student folder (default <out>/student from `augment distill`)')
    .option(
      '--teacher-scores <file>',
      'use LLM teacher scores from this `augment score` file instead of the student',
    )
    .option('--threshold <score>', 'keep candidates scoring at least this (default 3.5)', scoreValue)
    .option('--top-k <n>', 'candidates scored per context (default 50)', positiveNumber)
    .option('--output <file>', 'synthetic dataset JSONL (default <out>/<split>.synthetic.jsonl)')
    .action(async (flags: SynthesizeFlags) => {
      const config = loadConfig(flags, {
        synthesize: { split: flags.split, threshold: flags.threshold, topK: flags.topK },
      });
      const settings = config.augment.synthesize;
      const outDir = outDirOf(config);
      const candidatesPath = resolve(flags.candidates ?? candidatesFile(outDir, settings.split));
      if (!existsSync(candidatesPath)) {
        throw new CrsaugError(`no candidates file ${candidatesPath}`, {
          hint: `run \`crsaug augment retrieve --splits ${settings.split}\` first`,
        });
      }
      const splits: SplitName[] = settings.split === 'train' ? ['train'] : [settings.split, 'train'];
      const dataset = await loadDataset(config.dataset, { dataDir: config.dataDir, splits });
      const closers: Array<() => void> = [];
      try {
        let scorer: Parameters<typeof synthesize>[0]['scorer'];
        if (flags.teacherScores) {
          scorer = teacherScoresScorer(
            await readScores(resolve(flags.teacherScores)),
            dataset,
            flags.teacherScores,
          );
        } else {
          const studentDir = resolve(flags.student ?? join(outDir, 'student'));
          if (!existsSync(studentDir)) {
            throw new CrsaugError(`no student in ${studentDir}`, {
              hint: 'run `crsaug augment distill` first, or pass --teacher-scores FILE',
            });
          }
          const student = await Student.load(studentDir);
          const model = await embedderOpener(config, closers)(dataset);
          const space = await SemanticSpace.create(model, dataset.catalog, config.augment.retrieve);
          scorer = studentScorer(student, PairFeaturizer.create(dataset, space));
        }
        process.stderr.write(`scorer: ${scorer.description}\n`);
        const outFile = resolve(flags.output ?? join(outDir, `${settings.split}.synthetic.jsonl`));
        const stats = await synthesize({
          dataset,
          split: settings.split,
          candidates: await readCandidates(candidatesPath),
          candidatesSource: candidatesPath,
          scorer,
          threshold: settings.threshold,
          topK: settings.topK,
          outFile,
        });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ ...stats, outFile })}\n`);
          return;
        }
        process.stdout.write(
          `${dataset.name}/${settings.split}\n${formatSynthesisStats(stats)}\nsynthetic dataset → ${outFile}\n`,
        );
      } finally {
        for (const close of closers) close();
      }
    });
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

function widthList(value: string): number[] {
  return value.split(',').map((s) => positiveNumber(s.trim()));
}

function share(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 0.9)) throw new InvalidArgumentError('expected a share between 0 and 0.9');
  return n;
}

function scoreValue(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n <= 4)) throw new InvalidArgumentError('expected a score between 0 and 4');
  return n;
}
