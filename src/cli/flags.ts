import { type Command, InvalidArgumentError, Option } from 'commander';
import { deepMerge, resolveConfig } from '../config/load.js';
import type { Config, ConfigInput } from '../config/schema.js';
import { DATASETS } from '../data/registry.js';
import { SPLIT_NAMES, type SplitName } from '../data/types.js';

/*
 * What every command's flags share: the value parsers (each throws commander's InvalidArgumentError, which
 * commander prints with the flag's name), enum flags (always `.choices()`, so help lists the values), and the
 * flags that set the same config field in every command, declared here once.
 */

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('expected a positive integer');
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a non-negative integer');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('expected a positive number');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
}

/** A number in [min, max], e.g. a share or a score on the 0-4 scale. */
export function numberIn(min: number, max: number, what: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!(n >= min && n <= max)) throw new InvalidArgumentError(`expected ${what} between ${min} and ${max}`);
    return n;
  };
}

/** A comma-separated list, each element read by `parse`. */
export function listOf<T>(parse: (value: string) => T): (value: string) => T[] {
  return (value) => value.split(',').map((s) => parse(s.trim()));
}

/** A flag taking one of `values`. */
export function choiceOption(flags: string, description: string, values: readonly string[]): Option {
  return new Option(flags, description).choices(values);
}

/** Splits as a comma-separated list (`--splits train,valid,test`). */
export const splitList = listOf((value: string): SplitName => {
  if (!(SPLIT_NAMES as readonly string[]).includes(value))
    throw new InvalidArgumentError(`expected one of ${SPLIT_NAMES.join(', ')}`);
  return value as SplitName;
});

export function splitOption(flags: string, description: string): Option {
  return choiceOption(flags, description, SPLIT_NAMES);
}

/** The flags that locate the dataset: `--dataset` and `--data-dir`. */
export interface DatasetFlags {
  dataset?: string;
  dataDir?: string;
}

export function withDatasetFlags(command: Command): Command {
  return command
    .option(
      '--dataset <name|dir>',
      `registry dataset (${DATASETS.map((d) => d.name).join(', ')}) or a dataset folder (default: config)`,
    )
    .option('--data-dir <dir>', 'data root (default: CRSAUG_DATA_DIR, ../shared/data, user cache)');
}

/** The flags every config-driven command takes: the dataset's, `--config` and `--seed`. */
export interface ConfigFlags extends DatasetFlags {
  config?: string;
  seed?: number;
}

const CONFIG_HELP = 'config file (default: ./crsaug.config.json when present)';

/** `--config <file>`: every command that reads settings takes it. */
export function configOption(command: Command, help = CONFIG_HELP): Command {
  return command.option('--config <file>', help);
}

export function withConfigFlags(command: Command, configHelp = CONFIG_HELP): Command {
  return configOption(withDatasetFlags(command), configHelp).option(
    '--seed <n>',
    'base seed (default: config)',
    nonNegativeInt,
  );
}

/** The config from the common flags plus a command's own: defaults < config file < env < flags. */
export function configFromFlags(
  flags: ConfigFlags,
  own: ConfigInput = {},
  configFile = flags.config,
): Config {
  return resolveConfig({
    configFile,
    flags: deepMerge<ConfigInput>({ dataset: flags.dataset, dataDir: flags.dataDir, seed: flags.seed }, own),
  });
}

/** The flags that point the chat and embedding providers at an OpenAI-compatible server. */
export interface ProviderFlags {
  llmBaseUrl?: string;
  llmModel?: string;
  embedBaseUrl?: string;
  embedModel?: string;
}

/** The chat model's flags and the provider cache's folder (every command that may call a chat model). */
export interface ChatFlags {
  cacheDir?: string;
  llmBaseUrl?: string;
  llmModel?: string;
}

function chatModelOptions(command: Command): Command {
  return command
    .option(
      '--llm-base-url <url>',
      'OpenAI-compatible chat server, e.g. http://127.0.0.1:8000/v1 (default: config)',
    )
    .option('--llm-model <name>', 'chat model name (default: config)');
}

export function withChatFlags(command: Command): Command {
  return chatModelOptions(cacheDirOption(command, 'the provider cache providers.sqlite'));
}

/** The config layer of the chat flags. */
export function chatConfig(flags: ChatFlags): ConfigInput {
  return {
    cacheDir: flags.cacheDir,
    providers: { chat: { baseUrl: flags.llmBaseUrl, model: flags.llmModel } },
  };
}

export function withProviderFlags(command: Command): Command {
  return chatModelOptions(command)
    .option(
      '--embed-base-url <url>',
      'OpenAI-compatible embeddings server (default: config, else the builtin offline embedder)',
    )
    .option('--embed-model <name>', 'embedding model name (default: config)');
}

/** The `providers` section the provider flags set. */
export function providersFromFlags(flags: ProviderFlags): ConfigInput['providers'] {
  return {
    chat: { baseUrl: flags.llmBaseUrl, model: flags.llmModel },
    embedding: { baseUrl: flags.embedBaseUrl, model: flags.embedModel },
  };
}

/** `--json`: every command prints one JSON object on stdout instead of its text with it. */
export function jsonFlag(what = 'print one JSON object instead of the text'): Option {
  return new Option('--json', what);
}

/** `--predictions-out <file>`: ranked lists for `crsaug eval`, one file per seed when there are several. */
export function predictionsOutFlag(of: string): Option {
  return new Option(
    '--predictions-out <file>',
    `write ${of} in the predictions format; with several seeds one file per seed (p.jsonl → p.seed-42.jsonl), which eval --predictions/--compare take as one side`,
  );
}

/** `--verbose`: every stage's own progress lines (embedding, scoring, each epoch of each seed) and notes. */
export function verboseFlag(): Option {
  return new Option(
    '--verbose',
    "every stage's own progress lines (each epoch of each seed, …), not one line per stage",
  );
}

export function cacheDirOption(command: Command, what: string): Command {
  return command.option('--cache-dir <dir>', `cache root (${what}; default: CRSAUG_CACHE_DIR, user cache)`);
}

export function threadsOption(command: Command): Command {
  return command.option(
    '--threads <n>',
    'compute threads (default: config; results are deterministic per thread count)',
    positiveInt,
  );
}
