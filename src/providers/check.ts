import type { ProvidersConfig } from '../config/providers.js';
import {
  createChatModel,
  createEmbeddingModel,
  selectChatProvider,
  selectEmbeddingProvider,
} from './factory.js';

/** The outcome of one call to a configured provider. */
export interface ProviderCheck {
  kind: 'embedding' | 'chat';
  /** `provider:model` as configured, or the offline default that needs no check. */
  provider: string;
  /** 'pass' and 'fail' for a call made; 'skipped' when nothing remote is configured for this kind. */
  status: 'pass' | 'fail' | 'skipped';
  detail: string;
}

/** No retries and no cache: the check must reach the endpoint once and report what it answered. */
function directly(config: ProvidersConfig): ProvidersConfig {
  return {
    ...config,
    cache: false,
    chat: { ...config.chat, maxRetries: 0 },
    embedding: { ...config.embedding, maxRetries: 0 },
  };
}

/**
 * One embedding call and one chat call against the configured endpoints (each only when configured), so a
 * wrong URL, model name or key shows up before a run, as a pass or a fail with the provider's own answer.
 */
export async function checkProviders(config: ProvidersConfig): Promise<ProviderCheck[]> {
  const checked = directly(config);
  return [await checkEmbedding(checked), await checkChat(checked)];
}

async function checkEmbedding(config: ProvidersConfig): Promise<ProviderCheck> {
  const id = selectEmbeddingProvider(config.embedding);
  const provider = `${id}:${config.embedding.model ?? config.embedding.modelPath ?? ''}`;
  if (id === 'builtin')
    return {
      kind: 'embedding',
      provider: 'builtin',
      status: 'skipped',
      detail: 'the offline builtin embedder needs no endpoint (set providers.embedding or --embed-base-url)',
    };
  return attempt('embedding', provider, async () => {
    const { model, close } = await createEmbeddingModel(config, { fitTexts: [] });
    try {
      const { embeddings } = await model.doEmbed({ values: ['crsaug providers check'] });
      const vector = embeddings[0];
      if (!vector || vector.length === 0) throw new Error('the answer held no vector');
      if (!vector.every(Number.isFinite)) throw new Error('the vector holds NaN or infinite values');
      return `a ${vector.length}-d vector`;
    } finally {
      close();
    }
  });
}

async function checkChat(config: ProvidersConfig): Promise<ProviderCheck> {
  const id = selectChatProvider(config.chat);
  if (id === undefined)
    return {
      kind: 'chat',
      provider: 'none',
      status: 'skipped',
      detail: 'no chat model configured: the teacher reads the judgments shipped with the data',
    };
  const provider = `${id}:${config.chat.model ?? config.chat.modelPath ?? ''}`;
  return attempt('chat', provider, async () => {
    const { model, close } = await createChatModel(config);
    try {
      const { text } = await model.doGenerate({
        messages: [{ role: 'user', content: 'Reply with the single word: OK' }],
        maxTokens: 8,
        temperature: 0,
      });
      if (text.trim() === '') throw new Error('the answer was empty');
      return `answered ${JSON.stringify(text.trim().slice(0, 40))}`;
    } finally {
      close();
    }
  });
}

async function attempt(
  kind: ProviderCheck['kind'],
  provider: string,
  call: () => Promise<string>,
): Promise<ProviderCheck> {
  const start = performance.now();
  try {
    const detail = await call();
    return {
      kind,
      provider,
      status: 'pass',
      detail: `${detail} in ${(performance.now() - start).toFixed(0)} ms`,
    };
  } catch (err) {
    return { kind, provider, status: 'fail', detail: (err as Error).message };
  }
}
