import type { CsrMatrix } from './sparse.js';
import { terms } from './tokenize.js';

export interface TfidfOptions {
  /** Terms must occur in at least this many fitted texts. */
  minDocumentFrequency?: number;
  /** Keep at most this many terms, the most frequent by document frequency. */
  maxTerms?: number;
}

/**
 * TF-IDF over word unigrams and bigrams with sublinear term frequency (1 + ln tf), smoothed idf
 * (ln((1+n)/(1+df)) + 1) and L2-normalised rows: the usual lexical representation LSA starts from.
 */
export class TfidfVectorizer {
  private constructor(
    readonly vocabulary: Map<string, number>,
    readonly idf: Float64Array,
  ) {}

  /** A vectorizer from a saved vocabulary: `terms[i]` is column i, `idf[i]` its weight. */
  static fromTerms(terms: readonly string[], idf: Float64Array): TfidfVectorizer {
    if (terms.length !== idf.length) throw new Error(`${terms.length} terms but ${idf.length} idf weights`);
    return new TfidfVectorizer(new Map(terms.map((term, i) => [term, i])), idf);
  }

  /** The vocabulary in column order (what fromTerms takes back). */
  terms(): string[] {
    return [...this.vocabulary.keys()];
  }

  static fit(texts: string[], options: TfidfOptions = {}): TfidfVectorizer {
    const documentFrequency = new Map<string, number>();
    for (const text of texts) {
      for (const term of new Set(terms(text)))
        documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
    }
    const minDf = options.minDocumentFrequency ?? 2;
    const kept = [...documentFrequency].filter(([, df]) => df >= minDf);
    // Most frequent first, ties alphabetical, so the vocabulary is the same on every run.
    kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const chosen = kept.slice(0, options.maxTerms ?? 100_000);
    const vocabulary = new Map(chosen.map(([term], i) => [term, i]));
    const n = texts.length;
    const idf = Float64Array.from(chosen, ([, df]) => Math.log((1 + n) / (1 + df)) + 1);
    return new TfidfVectorizer(vocabulary, idf);
  }

  transform(texts: string[]): CsrMatrix {
    const rowStart = new Int32Array(texts.length + 1);
    const columns: number[] = [];
    const values: number[] = [];
    texts.forEach((text, row) => {
      const counts = new Map<number, number>();
      for (const term of terms(text)) {
        const id = this.vocabulary.get(term);
        if (id !== undefined) counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      const ids = [...counts.keys()].sort((a, b) => a - b);
      const weights = ids.map((id) => (1 + Math.log(counts.get(id)!)) * this.idf[id]!);
      const norm = Math.sqrt(weights.reduce((s, w) => s + w * w, 0)) || 1;
      ids.forEach((id, k) => {
        columns.push(id);
        values.push(weights[k]! / norm);
      });
      rowStart[row + 1] = columns.length;
    });
    return {
      rows: texts.length,
      cols: this.vocabulary.size,
      rowStart,
      columns: Int32Array.from(columns),
      values: Float64Array.from(values),
    };
  }
}
