import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CrsaugError } from '../util/errors.js';
import { readJsonFile, writeJsonFile } from '../util/json.js';
import { redactSecrets } from '../util/secrets.js';
import { PROVIDER_ENV_BINDINGS } from './providers.js';
import { type Config, type ConfigInput, ConfigSchema } from './schema.js';
import { nearestKey, unknownKeys } from './unknown-keys.js';

export const CONFIG_FILE_NAME = 'crsaug.config.json';

/** Environment variables and the config path each one sets. */
export const ENV_BINDINGS: Record<string, { path: string[]; type: 'string' | 'number' }> = {
  CRSAUG_DATASET: { path: ['dataset'], type: 'string' },
  CRSAUG_DATA_DIR: { path: ['dataDir'], type: 'string' },
  CRSAUG_CACHE_DIR: { path: ['cacheDir'], type: 'string' },
  CRSAUG_SEED: { path: ['seed'], type: 'number' },
  CRSAUG_THREADS: { path: ['threads'], type: 'number' },
  ...PROVIDER_ENV_BINDINGS,
};

/** The bearer token of `crsaug serve`: a secret, so it is read from the environment and never kept in a config. */
export const SERVE_TOKEN_ENV = 'CRSAUG_SERVE_TOKEN';

/** `CRSAUG_*` variables read outside the config (they set no config key). */
const OTHER_ENV = [SERVE_TOKEN_ENV];

export interface ResolveOptions {
  /** Explicit config file; when absent, ./crsaug.config.json is used if it exists. */
  configFile?: string;
  /** Values from flags (highest precedence). Undefined leaves are ignored. */
  flags?: ConfigInput;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

/** Builds the run's config: schema defaults < config file < environment < flags, validated by zod. */
export function resolveConfig(options: ResolveOptions = {}): Config {
  const cwd = options.cwd ?? process.cwd();
  const file = options.configFile ? resolve(cwd, options.configFile) : join(cwd, CONFIG_FILE_NAME);
  if (options.configFile && !existsSync(file)) {
    throw new CrsaugError(`config file not found: ${file}`);
  }
  const fromFile = existsSync(file) ? (readJsonFile(file) as ConfigInput) : {};
  checkKeys(fromFile, `in ${file}`);
  const env = options.env ?? process.env;
  checkEnvNames(env);
  const flags = options.flags ?? {};
  checkKeys(flags, 'from the command-line flags');
  const merged = deepMerge(deepMerge(fromFile, envLayer(env)), flags);
  const parsed = ConfigSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CrsaugError(`invalid config at "${issue.path.join('.')}": ${issue.message}`, {
      hint: `check ${existsSync(file) ? file : 'your flags'} and CRSAUG_* variables`,
    });
  }
  return parsed.data;
}

/**
 * Keys that moved: each setting has one owner, so a config written before the move (e.g. an older run's
 * config.resolved.json) is told where its value goes now instead of losing it.
 */
const MOVED_KEYS: Record<string, string> = {
  'run.seeds': 'train.seeds',
  'run.syntheticLabelMode': 'train.labelMode',
  'train.lr': 'train.<backbone>.lr (e.g. train.kbrd.lr)',
};

/** Unknown keys are an error (zod would drop them and use the default), naming the nearest valid key. */
function checkKeys(layer: unknown, where: string): void {
  const [first, ...rest] = unknownKeys(ConfigSchema, layer);
  if (!first) return;
  const moved = MOVED_KEYS[first.path];
  const more = rest.length > 0 ? ` (and ${rest.length} more: ${rest.map((k) => k.path).join(', ')})` : '';
  throw new CrsaugError(
    moved
      ? `config key "${first.path}" ${where} has moved to ${moved}${more}`
      : `unknown config key "${first.path}" ${where}${first.suggestion ? `; did you mean "${first.suggestion}"?` : ''}${more}`,
    { hint: `valid keys there: ${first.valid.join(', ')}` },
  );
}

/**
 * `CRSAUG_*` variables are this package's: one that no binding reads is a typo that would otherwise be
 * ignored. `CRSAUG_TEST_*` is left to the test suite (it passes settings to the child processes it starts).
 */
function checkEnvNames(env: NodeJS.ProcessEnv): void {
  const known = [...Object.keys(ENV_BINDINGS), ...OTHER_ENV];
  for (const name of Object.keys(env)) {
    if (!name.startsWith('CRSAUG_') || name.startsWith('CRSAUG_TEST_') || known.includes(name)) continue;
    const near = nearestKey(name, known);
    throw new CrsaugError(`unknown environment variable ${name}${near ? `; did you mean ${near}?` : ''}`, {
      hint: `crsaug reads ${known.join(', ')}`,
    });
  }
}

function envLayer(env: NodeJS.ProcessEnv): ConfigInput {
  const layer: Record<string, unknown> = {};
  for (const [name, binding] of Object.entries(ENV_BINDINGS)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = binding.type === 'number' ? Number(raw) : raw;
    if (binding.type === 'number' && !Number.isFinite(value)) {
      throw new CrsaugError(`environment variable ${name} must be a number, got "${raw}"`);
    }
    setPath(layer, binding.path, value);
  }
  return layer as ConfigInput;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    node[key] ??= {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]!] = value;
}

/** Recursive merge of plain objects; arrays and scalars from `over` replace; undefined never overrides. */
export function deepMerge<T>(base: T, over: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(over)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(out[k]) && isPlainObject(v) ? deepMerge(out[k], v) : v;
  }
  return out as T;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Saves the resolved config next to a run's outputs, so every number can be traced to its settings; API keys
 * and other secrets are written as "***".
 */
export async function saveResolvedConfig(outDir: string, config: unknown): Promise<string> {
  const file = join(outDir, 'config.resolved.json');
  await writeJsonFile(file, redactSecrets(config));
  return file;
}
