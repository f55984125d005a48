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

/** What a fitted TfidfLsa is made of (what tfidf-lsa-file.ts saves and loads). */
export interface TfidfLsaParts {
  /** Vocabulary in column order. */
  terms: string[];
  idf: Float64Array;
  /** [terms × dimensions] row-major projection. */
  projection: Float32Array;
  dimensions: number;
}

/**
 * TF-IDF (word unigrams + bigrams, sublinear tf) projected onto the top singular directions of the fitted
 * texts (latent semantic analysis), L2-normalised. A text with no known term maps to the zero vector.
 *
 * The projection is kept in float32, fitted or loaded alike: that is what a saved model holds (safetensors
 * F32), so a loaded model embeds bit for bit like the one that was fitted, at half the memory.
 */
export class TfidfLsa {
  private constructor(
    private readonly vectorizer: TfidfVectorizer,
    private readonly projection: Float32Array,
    readonly dimensions: number,
  ) {}

  static fromParts(parts: TfidfLsaParts): TfidfLsa {
    if (parts.projection.length !== parts.terms.length * parts.dimensions) {
      throw new Error(
        `projection has ${parts.projection.length} values, expected ${parts.terms.length} terms × ${parts.dimensions}`,
      );
    }
    return new TfidfLsa(
      TfidfVectorizer.fromTerms(parts.terms, parts.idf),
      parts.projection,
      parts.dimensions,
    );
  }

  parts(): TfidfLsaParts {
    return {
      terms: this.vectorizer.terms(),
      idf: this.vectorizer.idf,
      projection: this.projection,
      dimensions: this.dimensions,
    };
  }

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
    return new TfidfLsa(vectorizer, Float32Array.from(svd.components), svd.rank);
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
