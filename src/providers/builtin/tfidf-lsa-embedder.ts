import { hashValue } from '../../util/hash.js';
import { Progress } from '../../util/progress.js';
import type { EmbeddingModel, EmbedRequest, EmbedResult } from '../types.js';
import { truncatedSvd } from './randomized-svd.js';
import { sparseTimesDense } from './sparse.js';
import { type TfidfOptions, TfidfVectorizer } from './tfidf.js';

export interface TfidfLsaOptions extends TfidfOptions {
  /** LSA rank (vector length); capped by the number of texts and terms. */
  dimensions?: number;
  powerIterations?: number;
  seed?: number;
  /** Hide the progress line (tests). */
  silent?: boolean;
}

export const DEFAULT_LSA_DIMENSIONS = 256;
const DEFAULT_POWER_ITERATIONS = 2;

/**
 * The offline default embedder: TF-IDF (word unigrams + bigrams, sublinear tf) projected onto the top
 * singular directions of the fitted texts (latent semantic analysis), L2-normalised. It is lexical: two
 * texts are close when they use co-occurring words, not because a neural model understood them.
 * A text with no known term embeds as the zero vector.
 */
export class TfidfLsaEmbedder implements EmbeddingModel {
  readonly provider = 'builtin';
  readonly modelId: string;
  readonly maxEmbeddingsPerCall = Number.POSITIVE_INFINITY;
  readonly supportsParallelCalls = false;
  readonly dimensions: number;

  private constructor(
    private readonly vectorizer: TfidfVectorizer,
    /** [terms × dimensions] row-major projection. */
    private readonly projection: Float64Array,
    dimensions: number,
    private readonly fittedTexts: number,
    fingerprint: string,
  ) {
    this.dimensions = dimensions;
    this.modelId = `tfidf-lsa-${dimensions}d-${fingerprint}`;
  }

  /** Fits the vocabulary, idf and LSA projection on `texts` (e.g. item texts plus training contexts). */
  static fit(texts: string[], options: TfidfLsaOptions = {}): TfidfLsaEmbedder {
    const powerIterations = options.powerIterations ?? DEFAULT_POWER_ITERATIONS;
    // Stages: TF-IDF, range finding, each power iteration, components.
    const progress = new Progress('fit builtin tfidf-lsa', 3 + powerIterations, {
      unit: 'stages',
      silent: options.silent,
    });
    const vectorizer = TfidfVectorizer.fit(texts, options);
    const matrix = vectorizer.transform(texts);
    progress.tick(1, `${texts.length} texts, ${matrix.cols} terms`);
    const svd = truncatedSvd(matrix, {
      rank: options.dimensions ?? DEFAULT_LSA_DIMENSIONS,
      powerIterations,
      seed: options.seed,
      onStage: (stage) => progress.tick(1, stage),
    });
    progress.finish();
    const fingerprint = hashValue({ texts, options: { ...options, silent: undefined } }).slice(0, 8);
    return new TfidfLsaEmbedder(vectorizer, svd.components, svd.rank, texts.length, fingerprint);
  }

  describe(): string {
    return `builtin:tfidf-lsa (offline lexical embedder, not a neural model: TF-IDF word uni+bigrams → LSA ${this.dimensions}-d, fit on ${this.fittedTexts} texts)`;
  }

  async doEmbed({ values }: EmbedRequest): Promise<EmbedResult> {
    const projected = sparseTimesDense(this.vectorizer.transform(values), this.projection, this.dimensions);
    const embeddings = values.map((_, row) => {
      const v = projected.subarray(row * this.dimensions, (row + 1) * this.dimensions);
      const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      return Float32Array.from(v, (x) => (norm > 0 ? x / norm : 0));
    });
    return { embeddings };
  }
}
