import { hashValue } from '../../util/hash.js';
import type { EmbeddingModel, EmbedRequest, EmbedResult } from '../types.js';
import { DEFAULT_LSA_DIMENSIONS, TfidfLsa, type TfidfLsaOptions } from './tfidf-lsa.js';

/**
 * The offline default embedder, TF-IDF + LSA (see TfidfLsa). It is lexical: two texts are close when they
 * use co-occurring words, not because a neural model understood them.
 *
 * The fit is deferred to the first call, and the model id carries a hash of the fitted texts and options,
 * so behind the result cache a rerun over the same texts skips fitting entirely.
 */
export class TfidfLsaEmbedder implements EmbeddingModel {
  readonly provider = 'builtin';
  readonly modelId: string;
  readonly maxEmbeddingsPerCall = Number.POSITIVE_INFINITY;
  readonly supportsParallelCalls = false;
  private fitted?: TfidfLsa;

  constructor(
    private readonly fitTexts: string[],
    private readonly options: TfidfLsaOptions = {},
  ) {
    const fingerprint = hashValue({ fitTexts, options: { ...options, silent: undefined } }).slice(0, 8);
    this.modelId = `tfidf-lsa-${options.dimensions ?? DEFAULT_LSA_DIMENSIONS}d-${fingerprint}`;
  }

  // No `dimensions`: the vector length is only known after fitting (the texts may allow fewer than asked).

  describe(): string {
    const dimensions = this.fitted?.dimensions ?? this.options.dimensions ?? DEFAULT_LSA_DIMENSIONS;
    return `builtin:tfidf-lsa (offline lexical embedder, not a neural model: TF-IDF word uni+bigrams → LSA ${dimensions}-d, fit on ${this.fitTexts.length} texts)`;
  }

  /** Fits now (otherwise the first doEmbed does). */
  fit(): TfidfLsa {
    this.fitted ??= TfidfLsa.fit(this.fitTexts, this.options);
    return this.fitted;
  }

  async doEmbed({ values }: EmbedRequest): Promise<EmbedResult> {
    return { embeddings: this.fit().embed(values) };
  }
}
