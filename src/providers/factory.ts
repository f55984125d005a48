import { join } from 'node:path';
import type { z } from 'zod';
import { ENV_BINDINGS } from '../config/load.js';
import type { ChatProviderConfig, EmbeddingProviderConfig, ProvidersConfig } from '../config/providers.js';
import { CrsaugError } from '../util/errors.js';
import { holdsRedactedSecret, REDACTED } from '../util/secrets.js';
import { withCache } from './middleware/cache.js';
import { ProviderCacheStore } from './middleware/cache-store.js';
import { withLimits } from './middleware/limits.js';
import { withRetry } from './middleware/retry.js';
import { UsageTracker, withUsage } from './middleware/usage.js';
import { CHAT_PROVIDERS, type CreateRuntime, EMBEDDING_PROVIDERS, type ProviderEntry } from './registry.js';
import type { AnyModel, ChatModel, EmbeddingModel } from './types.js';

export const CACHE_FILE_NAME = 'providers.sqlite';

export interface ProviderRuntime {
  /**
   * Folder of the SQLite cache (providers.sqlite; required unless config.cache is false) and of the fitted
   * builtin embedders (builtin-embedder/, used whenever the folder is given).
   */
  cacheDir?: string;
  /** Shared accounting for the run; a fresh tracker priced from config.prices when absent. */
  usage?: UsageTracker;
  /** Pipeline stage the calls are booked under (e.g. 'retrieve', 'label'). */
  stage?: string;
}

/** An embedding model's runtime also carries what the builtin embedder is fitted on. */
export interface EmbeddingRuntime extends ProviderRuntime, CreateRuntime {}

/** The wrapped model plus what the caller needs to report and clean up. */
export interface ProvidedModel<M extends AnyModel> {
  model: M;
  usage: UsageTracker;
  /** Closes the cache database. */
  close(): void;
}

/** Which chat provider the config selects: explicit, else openai-compatible when a base URL is set. */
export function selectChatProvider(config: ChatProviderConfig): ChatProviderConfig['provider'] {
  return config.provider ?? (config.baseUrl ? 'openai-compatible' : undefined);
}

export function selectEmbeddingProvider(
  config: EmbeddingProviderConfig,
): NonNullable<EmbeddingProviderConfig['provider']> {
  return config.provider ?? (config.baseUrl ? 'openai-compatible' : 'builtin');
}

/** The chat model the config names, wrapped as: cache → usage → retry → limits → model. */
export async function createChatModel(
  config: ProvidersConfig,
  runtime: ProviderRuntime = {},
): Promise<ProvidedModel<ChatModel>> {
  const settings = config.chat;
  const id = selectChatProvider(settings);
  if (id === undefined) {
    throw new CrsaugError('no chat model configured', {
      hint: 'set CRSAUG_LLM_BASE_URL and CRSAUG_LLM_MODEL (an OpenAI-compatible server), or providers.chat in crsaug.config.json',
    });
  }
  const base = await createFrom(CHAT_PROVIDERS[id], settings, 'chat', runtime);
  return wrapForRun(base, config, settings, runtime);
}

/** The embedding model the config names, wrapped like createChatModel's. */
export async function createEmbeddingModel(
  config: ProvidersConfig,
  runtime: EmbeddingRuntime = {},
): Promise<ProvidedModel<EmbeddingModel>> {
  const settings = config.embedding;
  const entry = EMBEDDING_PROVIDERS[selectEmbeddingProvider(settings)];
  const base = await createFrom(entry, settings, 'embedding', runtime);
  return wrapForRun(base, config, settings, runtime);
}

/** Makes a provider's model from the settings its schema picks out of the config section. */
function createFrom<M extends AnyModel>(
  entry: ProviderEntry<z.ZodObject, M>,
  section: object,
  kind: 'chat' | 'embedding',
  runtime: EmbeddingRuntime,
): M | Promise<M> {
  const parsed = entry.schema.safeParse(section);
  if (!parsed.success) {
    throw missingSetting(`providers.${kind}.${parsed.error.issues[0]!.path.join('.')}`);
  }
  // A config read back from a written one (config.resolved.json) has "***" where its secrets were.
  const redacted = holdsRedactedSecret(parsed.data);
  if (redacted !== undefined) {
    const field = `providers.${kind}.${redacted}`;
    throw new CrsaugError(`${field} holds "${REDACTED}", a secret left out of a written config`, {
      hint: missingSetting(field).hint,
    });
  }
  return entry.create(parsed.data, runtime);
}

function wrapForRun<M extends AnyModel>(
  base: M,
  config: ProvidersConfig,
  policy: ChatProviderConfig | EmbeddingProviderConfig,
  runtime: ProviderRuntime,
): ProvidedModel<M> {
  const usage = runtime.usage ?? new UsageTracker(config.prices);
  const stage = runtime.stage ?? 'default';
  let model = withLimits(base, {
    concurrency: policy.concurrency,
    requestsPerMinute: policy.requestsPerMinute,
    tokensPerMinute: policy.tokensPerMinute,
  });
  model = withRetry(model, { maxRetries: policy.maxRetries, onRetry: () => usage.recordRetry(stage, base) });
  model = withUsage(model, usage, stage);
  let store: ProviderCacheStore | undefined;
  if (config.cache) {
    if (!runtime.cacheDir) throw missingSetting('cacheDir');
    store = new ProviderCacheStore(join(runtime.cacheDir, CACHE_FILE_NAME));
    model = withCache(model, store, { onHit: (count) => usage.recordCacheHits(stage, base, count) });
  }
  return { model, usage, close: () => store?.close() };
}

/** A setting the provider needs, named with the environment variable that also sets it. */
function missingSetting(field: string): CrsaugError {
  const envName = Object.entries(ENV_BINDINGS).find(([, b]) => b.path.join('.') === field)?.[0];
  return new CrsaugError(`missing setting ${field}`, {
    hint: envName ? `set it in crsaug.config.json or with ${envName}` : 'set it in crsaug.config.json',
  });
}
