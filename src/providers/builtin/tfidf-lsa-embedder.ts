import type { EmbeddingModel, EmbedRequest, EmbedResult } from '../types.js';
import { DEFAULT_LSA_DIMENSIONS, type TfidfLsa, type TfidfLsaOptions } from './tfidf-lsa.js';
import { type OpenedTfidfLsa, openTfidfLsa, tfidfLsaFingerprint } from './tfidf-lsa-file.js';

export interface TfidfLsaEmbedderOptions extends TfidfLsaOptions {
  /** Folder where fitted models are saved and looked up by fingerprint; unset: fit in every process. */
  modelDir?: string;
}

/**
 * The offline default embedder, TF-IDF + LSA (see TfidfLsa). It is lexical: two texts are close when they
 * use co-occurring words, not because a neural model understood them.
 *
 * The fit is deferred to the first call, and the model id carries a hash of the fitted texts and options,
 * so behind the result cache a rerun over the same texts skips fitting entirely. With a `modelDir`, the
 * fitted model is saved there and every later process (each pipeline stage) loads it instead of refitting.
 */
export class TfidfLsaEmbedder implements EmbeddingModel {
  readonly provider = 'builtin';
  readonly modelId: string;
  readonly maxEmbeddingsPerCall = Number.POSITIVE_INFINITY;
  readonly supportsParallelCalls = false;
  private readonly fingerprint: string;
  private readonly fitOptions: TfidfLsaOptions;
  private opening?: Promise<OpenedTfidfLsa>;
  /** How the model was obtained, once it is: fitted here, or loaded from a saved fit. */
  fitSource?: OpenedTfidfLsa['source'];
  private dimensionsFitted?: number;

  constructor(
    private readonly fitTexts: string[],
    private readonly options: TfidfLsaEmbedderOptions = {},
  ) {
    const { modelDir: _where, ...fitOptions } = options;
    this.fitOptions = fitOptions;
    this.fingerprint = tfidfLsaFingerprint(fitTexts, fitOptions);
    this.modelId = `tfidf-lsa-${options.dimensions ?? DEFAULT_LSA_DIMENSIONS}d-${this.fingerprint.slice(0, 8)}`;
  }

  // No `dimensions`: the vector length is only known after fitting (the texts may allow fewer than asked).

  describe(): string {
    const dimensions = this.dimensionsFitted ?? this.options.dimensions ?? DEFAULT_LSA_DIMENSIONS;
    return `builtin:tfidf-lsa (offline lexical embedder, not a neural model: TF-IDF word uni+bigrams → LSA ${dimensions}-d, fit on ${this.fitTexts.length} texts)`;
  }

  /** Fits (or loads the saved fit) now; otherwise the first doEmbed does. */
  async fit(): Promise<TfidfLsa> {
    this.opening ??= openTfidfLsa(this.fitTexts, this.fitOptions, this.options.modelDir, this.fingerprint);
    const opened = await this.opening;
    this.fitSource = opened.source;
    this.dimensionsFitted = opened.model.dimensions;
    return opened.model;
  }

  async doEmbed({ values }: EmbedRequest): Promise<EmbedResult> {
    return { embeddings: (await this.fit()).embed(values) };
  }
}
