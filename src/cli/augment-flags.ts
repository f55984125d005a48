import { type Command, InvalidArgumentError } from 'commander';
import { augmentOutDir, type PairSource, parseShard, type Shard } from '../augment/stages/index.js';
import { RESPONSE_FORMATS, SAMPLER_STRATEGIES, SCORE_MODES } from '../config/augment.js';
import type { Config, ConfigInput } from '../config/schema.js';
import type { SplitName } from '../data/types.js';
import {
  type ConfigFlags,
  cacheDirOption,
  choiceOption,
  configFromFlags,
  jsonFlag,
  nonNegativeInt,
  type ProviderFlags,
  positiveInt,
  providersFromFlags,
  splitOption,
  withConfigFlags,
  withProviderFlags,
} from './flags.js';

/** Flags every `crsaug augment` subcommand takes. */
export interface AugmentFlags extends ConfigFlags, ProviderFlags {
  cacheDir?: string;
  out?: string;
  json?: boolean;
}

export function withAugmentFlags(command: Command): Command {
  return withProviderFlags(cacheDirOption(withConfigFlags(command), 'the provider cache providers.sqlite'))
    .option('--out <dir>', 'folder of the augment files (default: runs/<dataset>/augment)')
    .addOption(jsonFlag('print the summary as JSON'));
}

/** The config of an augment subcommand: the common flags, the provider flags and the stage's own settings. */
export function augmentConfig(flags: AugmentFlags, augment: ConfigInput['augment'] = {}): Config {
  return configFromFlags(flags, {
    cacheDir: flags.cacheDir,
    out: flags.out,
    augment,
    providers: providersFromFlags(flags),
  });
}

/** The summary as one JSON line with --json, else as the command's text. */
export function printSummary(flags: Pick<AugmentFlags, 'json'>, json: unknown, text: () => string): void {
  process.stdout.write(`${flags.json ? JSON.stringify(json) : text()}\n`);
}

/** Where a stage tells the reader which model it uses. */
export const toStderr = (line: string) => process.stderr.write(`${line}\n`);

export function shardFlag(value: string): Shard {
  try {
    return parseShard(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

/** Flags of the subcommands that judge pairs (score, and the batch files of the same requests). */
export interface ScoreFlags extends AugmentFlags {
  split: SplitName;
  pairs?: string;
  shard?: Shard;
  sampler?: (typeof SAMPLER_STRATEGIES)[number];
  pairsPerContext?: number;
  maxContexts?: number;
  candidatesPerCall?: number;
  mode?: (typeof SCORE_MODES)[number];
  responseFormat?: (typeof RESPONSE_FORMATS)[number];
  logprobs?: boolean;
}

export function withScoreFlags(command: Command): Command {
  return withAugmentFlags(command)
    .addOption(splitOption('--split <name>', 'split whose candidates are judged').default('train', 'train'))
    .option('--pairs <file>', 'judge these pairs instead (JSONL with dialog_id, turn_id, item)')
    .option('--shard <i/n>', 'only shard i of n (1-based) of the contexts', shardFlag)
    .addOption(
      choiceOption(
        '--sampler <strategy>',
        'pairs sent to the teacher',
        SAMPLER_STRATEGIES.filter((s) => s !== 'uncertainty'),
      ),
    )
    .option('--pairs-per-context <n>', 'pairs per context for random/stratified', positiveInt)
    .option('--max-contexts <n>', 'judge at most this many contexts (seeded random subset)', nonNegativeInt)
    .option('--candidates-per-call <n>', 'candidates of one context judged in one call', positiveInt)
    .addOption(choiceOption('--mode <mode>', 'direct, or a short reason before the score', SCORE_MODES))
    .addOption(
      choiceOption(
        '--response-format <format>',
        'ask for "Score: N" text or a JSON object',
        RESPONSE_FORMATS,
      ),
    )
    .option('--logprobs', 'ask for token log-probabilities and record the expected score');
}

/** The config of a judging subcommand: its score flags become augment.score settings. */
export function scoreConfig(flags: ScoreFlags): Config {
  return augmentConfig(flags, {
    score: {
      candidatesPerCall: flags.candidatesPerCall,
      mode: flags.mode,
      responseFormat: flags.responseFormat,
      logprobs: flags.logprobs,
      sampler: {
        strategy: flags.sampler,
        pairsPerContext: flags.pairsPerContext,
        maxContexts: flags.maxContexts,
      },
    },
  });
}

/** The pairs the flags select: the pairs file, else the sampler over the split's candidates in the out folder. */
export function pairSource(config: Config, flags: ScoreFlags): PairSource {
  return {
    split: flags.split,
    candidatesDir: augmentOutDir(config),
    pairsFile: flags.pairs,
    shard: flags.shard,
  };
}
