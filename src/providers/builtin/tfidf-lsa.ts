import { Progress } from '../../util/progress.js';
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
 * TF-IDF (word unigrams + bigrams, sublinear tf) projected onto the top singular directions of the fitted
 * texts (latent semantic analysis), L2-normalised. A text with no known term maps to the zero vector.
 */
export class TfidfLsa {
  private constructor(
    private readonly vectorizer: TfidfVectorizer,
    /** [terms × dimensions] row-major projection. */
    private readonly projection: Float64Array,
    readonly dimensions: number,
  ) {}

  static fit(texts: string[], options: TfidfLsaOptions = {}): TfidfLsa {
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
    return new TfidfLsa(vectorizer, svd.components, svd.rank);
  }

  embed(values: string[]): Float32Array[] {
    const projected = sparseTimesDense(this.vectorizer.transform(values), this.projection, this.dimensions);
    return values.map((_, row) => {
      const v = projected.subarray(row * this.dimensions, (row + 1) * this.dimensions);
      const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0));
      return Float32Array.from(v, (x) => (norm > 0 ? x / norm : 0));
    });
  }
}
