import { type Command, InvalidArgumentError } from 'commander';
import { augmentOutDir, type PairSource, parseShard, type Shard } from '../augment/stages/index.js';
import { SAMPLER_STRATEGIES, SCORE_MODES } from '../config/augment.js';
import type { Config, ConfigInput } from '../config/schema.js';
import type { SplitName } from '../data/types.js';
import {
  type ConfigFlags,
  cacheDirOption,
  choiceOption,
  configFromFlags,
  nonNegativeInt,
  positiveInt,
  splitOption,
  withConfigFlags,
} from './flags.js';

/** Flags every `crsaug augment` subcommand takes. */
export interface AugmentFlags extends ConfigFlags, ChatFlags {
  out?: string;
  json?: boolean;
  embedBaseUrl?: string;
  embedModel?: string;
}

export function withAugmentFlags(command: Command): Command {
  return withChatFlags(
    withConfigFlags(command).option(
      '--out <dir>',
      'folder of the augment files (default runs/<dataset>/augment)',
    ),
  )
    .option(
      '--embed-base-url <url>',
      'OpenAI-compatible embeddings server (default: builtin offline embedder)',
    )
    .option('--embed-model <name>', 'embedding model name')
    .option('--json', 'print the summary as JSON');
}

/** The chat model's flags and the provider cache's folder (every command that may call a chat model). */
export interface ChatFlags {
  cacheDir?: string;
  llmBaseUrl?: string;
  llmModel?: string;
}

export function withChatFlags(command: Command): Command {
  return cacheDirOption(command, 'the provider cache providers.sqlite')
    .option('--llm-base-url <url>', 'OpenAI-compatible chat server (e.g. http://127.0.0.1:8000/v1)')
    .option('--llm-model <name>', 'chat model name');
}

/** The chat provider the chat flags set. */
function chatProvider(flags: ChatFlags): { baseUrl?: string; model?: string } {
  return { baseUrl: flags.llmBaseUrl, model: flags.llmModel };
}

/** The config layer of the chat flags. */
export function chatConfig(flags: ChatFlags): ConfigInput {
  return { cacheDir: flags.cacheDir, providers: { chat: chatProvider(flags) } };
}

/** The config of an augment subcommand: the common flags, the provider flags and the stage's own settings. */
export function augmentConfig(flags: AugmentFlags, augment: ConfigInput['augment'] = {}): Config {
  return configFromFlags(flags, {
    cacheDir: flags.cacheDir,
    out: flags.out,
    augment,
    providers: {
      chat: chatProvider(flags),
      embedding: { baseUrl: flags.embedBaseUrl, model: flags.embedModel },
    },
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
  logprobs?: boolean;
}

export function withScoreFlags(command: Command): Command {
  return withAugmentFlags(command)
    .addOption(splitOption('--split <name>', 'split whose candidates are judged').default('train'))
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
    .option('--logprobs', 'ask for token log-probabilities and record the expected score');
}

/** The config of a judging subcommand: its score flags become augment.score settings. */
export function scoreConfig(flags: ScoreFlags): Config {
  return augmentConfig(flags, {
    score: {
      candidatesPerCall: flags.candidatesPerCall,
      mode: flags.mode,
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
