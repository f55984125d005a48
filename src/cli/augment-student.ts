import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import {
  augmentOutDir,
  candidatesFile,
  distillStage,
  formatAgreementTable,
  formatSynthesisStats,
  synthesizeStage,
} from '../augment/stages/index.js';
import type { SplitName } from '../data/types.js';
import {
  type AugmentFlags,
  augmentConfig,
  printSummary,
  toStderr,
  withAugmentFlags,
} from './augment-flags.js';
import { listOf, numberIn, positiveInt, splitOption } from './flags.js';

interface DistillFlags extends AugmentFlags {
  teacher?: string[];
  student?: string;
  hidden?: number[];
  epochs?: number;
  heldOut?: number;
  exportFinetune?: string;
}

export function registerDistill(augment: Command): void {
  withAugmentFlags(
    augment
      .command('distill')
      .description(
        'train the student scorer (feature MLP) on teacher judgments; print held-out agreement; save it',
      ),
  )
    .option(
      '--teacher <file...>',
      "teacher judgment JSONL file(s) (default: the dataset's files in ../shared/teacher, all of them when none is for it, as crsaug run)",
    )
    .option('--student <dir>', 'folder the student is saved to (default: <out>/student)')
    .option('--hidden <list>', 'hidden layer widths, comma-separated', listOf(positiveInt))
    .option('--epochs <n>', 'training epochs', positiveInt)
    .option(
      '--held-out <share>',
      "share of each file's contexts held out for agreement",
      numberIn(0, 0.9, 'a share'),
    )
    .option(
      '--export-finetune <file>',
      'also write the judgments as chat fine-tuning JSONL (the scorer prompt)',
    )
    .action(async (flags: DistillFlags) => {
      const config = augmentConfig(flags, {
        distill: { hidden: flags.hidden, epochs: flags.epochs, heldOutShare: flags.heldOut },
      });
      const summary = await distillStage(config, {
        teacherFiles: flags.teacher,
        studentDir: resolve(flags.student ?? join(augmentOutDir(config), 'student')),
        exportFinetune: flags.exportFinetune && resolve(flags.exportFinetune),
        log: toStderr,
      });
      const { exported } = summary;
      printSummary(
        flags,
        {
          student: summary.studentDir,
          description: summary.description,
          files: summary.files,
          rows: summary.rows,
          exported,
        },
        () =>
          [
            ...summary.files.map(
              (f) =>
                `${f.file}: ${f.dataset}/${f.split}, ${f.pairs} pairs in ${f.contexts} contexts; held out ${f.heldOutPairs} pairs of ${f.heldOutContexts} contexts`,
            ),
            '',
            'held-out agreement with the teacher (split by context):',
            formatAgreementTable(summary.rows),
            '',
            `student: ${summary.description}; final train MSE ${summary.finalTrainMse?.toFixed(3)}`,
            `saved → ${summary.studentDir}`,
            ...(exported
              ? [
                  `fine-tuning set: ${exported.examples} chat examples (${exported.mode} answers, scores 0-4: ${exported.byScore.join('/')}) → ${exported.file}`,
                ]
              : []),
          ].join('\n'),
      );
    });
}

interface SynthesizeFlags extends AugmentFlags {
  split?: SplitName;
  candidates?: string;
  student?: string;
  teacherScores?: string;
  threshold?: number;
  topK?: number;
  output?: string;
}

export function registerSynthesize(augment: Command): void {
  withAugmentFlags(
    augment
      .command('synthesize')
      .description(
        'score retrieved candidates with the student (or teacher scores), keep those ≥ threshold, write the synthetic dataset',
      ),
  )
    .addOption(
      splitOption(
        '--split <name>',
        'split whose contexts get synthetic labels (default: augment.synthesize.split, train)',
      ),
    )
    .option(
      '--candidates <file>',
      'candidates JSONL (default: <out>/<split>.candidates.jsonl from `augment retrieve`)',
    )
    .option('--student <dir>', 'student folder (default: <out>/student from `augment distill`)')
    .option(
      '--teacher-scores <file>',
      'use LLM teacher scores from this `augment score` file instead of the student',
    )
    .option(
      '--threshold <score>',
      'keep candidates scoring at least this (default: augment.synthesize.threshold, 3.5)',
      numberIn(0, 4, 'a score'),
    )
    .option(
      '--top-k <n>',
      "candidates per context: the retriever's top K are scored (default: augment.synthesize.topK, 50)",
      positiveInt,
    )
    .option('--output <file>', 'synthetic dataset JSONL (default: <out>/<split>.synthetic.jsonl)')
    .action(async (flags: SynthesizeFlags) => {
      const config = augmentConfig(flags, {
        synthesize: { split: flags.split, threshold: flags.threshold, topK: flags.topK },
      });
      const { split } = config.augment.synthesize;
      const outDir = augmentOutDir(config);
      const summary = await synthesizeStage(config, {
        candidatesFile: resolve(flags.candidates ?? candidatesFile(outDir, split)),
        scorer: flags.teacherScores
          ? { teacherScores: resolve(flags.teacherScores) }
          : { studentDir: resolve(flags.student ?? join(outDir, 'student')) },
        outFile: resolve(flags.output ?? join(outDir, `${split}.synthetic.jsonl`)),
        log: toStderr,
      });
      const { dataset, examples: _none, usage: _usage, file: outFile, ...stats } = summary;
      printSummary(
        flags,
        { ...stats, outFile },
        () => `${dataset}/${split}\n${formatSynthesisStats(stats)}\nsynthetic dataset → ${outFile}`,
      );
    });
}
